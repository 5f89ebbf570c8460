#!/usr/bin/env bash
# Makes the credentials of a secured Entropic cluster (docs/security.md):
#
#   deploy/make-credentials.sh DIR [NAME...]
#
# writes into DIR (created if missing; existing files are kept, so running it
# again only fills in what is missing):
#   ca.pem, ca.key           a certificate authority (keep ca.key offline)
#   server.pem, server.key   the servers' certificate, valid for localhost,
#                            127.0.0.1, replay, learner and every NAME (DNS
#                            names or IP addresses)
#   actor.pem/.key, learner.pem/.key, user.pem/.key
#                            client certificates, for mutual TLS
#   actor.token, learner.token, user.token
#                            one bearer token per role
#   tokens                   the servers' --auth_tokens file ("ROLE TOKEN")
#
# Needs only openssl. Keys and tokens are readable by their owner only.
# Certificates are valid for DAYS days (default 365).
set -euo pipefail

if (($# < 1)); then
  sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
readonly dir="$1"
shift
readonly days="${DAYS:-365}"
mkdir -p "$dir"
umask 077

san="DNS:localhost,IP:127.0.0.1,DNS:replay,DNS:learner"
for name in "$@"; do
  if [[ "$name" =~ ^[0-9.]+$ || "$name" == *:* ]]; then
    san+=",IP:$name"
  else
    san+=",DNS:$name"
  fi
done

# EC P-256 keys: small, and made in milliseconds.
new_key() {
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$1" 2>/dev/null
}

if [[ ! -f "$dir/ca.pem" ]]; then
  new_key "$dir/ca.key"
  openssl req -x509 -new -key "$dir/ca.key" -sha256 -days "$days" \
    -subj "/CN=Entropic CA" -out "$dir/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign"
fi

# issue NAME COMMON_NAME EXTENSIONS
issue() {
  local name="$1" cn="$2" extensions="$3"
  [[ -f "$dir/$name.pem" ]] && return
  new_key "$dir/$name.key"
  openssl req -new -key "$dir/$name.key" -subj "/CN=$cn" \
    -out "$dir/$name.csr"
  printf '%s\n' "$extensions" > "$dir/$name.ext"
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" \
    -CAkey "$dir/ca.key" -CAcreateserial -sha256 -days "$days" \
    -extfile "$dir/$name.ext" -out "$dir/$name.pem" 2>/dev/null
  rm -f "$dir/$name.csr" "$dir/$name.ext"
}

issue server "entropic-server" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=$san"
for role in actor learner user; do
  issue "$role" "entropic-$role" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth"
done

for role in actor learner user; do
  if [[ ! -f "$dir/$role.token" ]]; then
    openssl rand -hex 32 > "$dir/$role.token"
  fi
done
{
  echo "# ROLE TOKEN: the bearer tokens servers accept (--auth_tokens)."
  for role in actor learner user; do
    echo "$role $(cat "$dir/$role.token")"
  done
} > "$dir/tokens"
# Certificates are public.
chmod 644 "$dir"/*.pem
echo "credentials in $dir"
