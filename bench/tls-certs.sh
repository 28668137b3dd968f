#!/usr/bin/env bash
# Makes a test CA, a server certificate for localhost/127.0.0.1 and a client certificate (CN=shop-app) in DIR with
# openssl — the commands of the README's "TLS" section, run by bench/tls.sh and by the TLS tests as written.
#   bench/tls-certs.sh DIR
set -euo pipefail
mkdir -p "$1" && cd "$1"
openssl req -x509 -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -days 3650 \
  -subj "/CN=Tessera demo CA" -keyout ca.key -out ca.crt
openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
  -subj "/CN=tessera-proxy" -keyout proxy.key -out proxy.csr
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > proxy.ext
openssl x509 -req -in proxy.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 -extfile proxy.ext -out proxy.crt
openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
  -subj "/CN=shop-app" -keyout shop-app.key -out shop-app.csr
printf 'extendedKeyUsage=clientAuth\n' > client.ext
openssl x509 -req -in shop-app.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 -extfile client.ext -out shop-app.crt
