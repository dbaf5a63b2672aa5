#!/bin/sh
# run.sh CONFIG PORT DIR: Debian's nginx serving CONFIG.conf on 127.0.0.1:PORT
# in the foreground, with DIR (empty, the caller's) as its prefix: its pid and
# temporary files go there, its error log to standard error. No root needed.
set -eu
config=$1 port=$2 dir=$3
mkdir -p "$dir/tmp"
sed "s/@PORT@/$port/g" "$config.conf" >"$dir/server.conf"
sed "s|@DIR@|$dir|g" nginx.conf.in >"$dir/nginx.conf"
exec /usr/sbin/nginx -p "$dir/" -e stderr -c "$dir/nginx.conf" -g 'daemon off;'
