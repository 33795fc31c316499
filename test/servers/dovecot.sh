#!/usr/bin/env bash
# The project's own Dovecot for tests, demo and benchmarks: installs Debian's dovecot-imapd when
# missing, writes a self-contained configuration under $PRX_DOVECOT_DIR (default .dovecot/ in the
# repo) with a throwaway CA, implicit TLS and STARTTLS ports on 127.0.0.1, password users and
# XOAUTH2/OAUTHBEARER users (oauth2 passdb, local HS256 JWT validation), starts it and stops it
# by pid. It never touches /etc/dovecot or a system instance.
#
#   dovecot.sh start | stop | status | env | reset-user USER
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
dir=${PRX_DOVECOT_DIR:-$repo/.dovecot}
implicit_port=${PRX_DOVECOT_IMAPS_PORT:-19993}
starttls_port=${PRX_DOVECOT_IMAP_PORT:-19143}
mail_uid=${PRX_DOVECOT_MAIL_UID:-5000}
users="alice bob carol dave user1 user2 user3 user4 user5 user6 user7 user8 demo bench svc1 svc2 svc3 svc4 svc5 svc6 svc7 svc8 svc9 svc10 svc11 svc12 idle1 idle2 idle3 idle4 idle5 idle6 idle7 idle8 idle9 idle10 folders1 folders2 folders3 folders4 folders5 tty1 kill1"
# Accounts for the distributed-runner tests and bench (pgw1..pgwN, N = PRX_DOVECOT_PGW_USERS, 200).
for i in $(seq 1 "${PRX_DOVECOT_PGW_USERS:-200}"); do users+=" pgw$i"; done
oauth_issuer=https://issuer.prx-email.test
oauth_audience=prx-email-tests
conf=$dir/dovecot.conf

install_dovecot() {
  command -v dovecot >/dev/null 2>&1 && command -v openssl >/dev/null 2>&1 && return 0
  echo "installing dovecot-imapd (Debian package)..." >&2
  local created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    created_policy=1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q dovecot-imapd openssl >/dev/null 2>&1; then
    apt-get update -q >/dev/null 2>&1
    apt-get install -y -q dovecot-imapd openssl >/dev/null
  fi
  [ "$created_policy" = 1 ] && rm -f /usr/sbin/policy-rc.d
  # The package may have started its own instance despite policy-rc.d: stop it, ours is separate.
  if [ -f /run/dovecot/master.pid ]; then kill "$(cat /run/dovecot/master.pid)" 2>/dev/null || true; fi
  return 0
}

make_certs() {
  [ -f "$dir/tls/server.crt" ] && return 0
  mkdir -p "$dir/tls"
  (
    cd "$dir/tls"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=prx-email test CA" \
      -keyout ca.key -out ca.crt >/dev/null 2>&1
    openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout server.key -out server.csr >/dev/null 2>&1
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > ext.cnf
    openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile ext.cnf -out server.crt >/dev/null 2>&1
    # A second, unrelated CA, for "refused without the right CA" tests.
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=other CA" \
      -keyout other-ca.key -out other-ca.crt >/dev/null 2>&1
    chmod 644 ./*.crt
  )
}

write_config() {
  mkdir -p "$dir/run" "$dir/state" "$dir/mail" "$dir/oauth/default/HS256"
  chown -R "$mail_uid:$mail_uid" "$dir/mail"
  chmod 755 "$dir" "$dir/run" "$dir/state"
  if [ ! -f "$dir/oauth/secret" ]; then
    head -c 32 /dev/urandom | base64 | tr -d '\n' > "$dir/oauth/secret"
  fi
  cp "$dir/oauth/secret" "$dir/oauth/default/HS256/default"
  : > "$dir/passwd"
  for user in $users; do
    mkdir -p "$dir/mail/$user"
    echo "$user:{PLAIN}$user-password:$mail_uid:$mail_uid::$dir/mail/$user::" >> "$dir/passwd"
  done
  # oauth users share the password users' userdb entries
  chown -R "$mail_uid:$mail_uid" "$dir/mail"
  chmod 644 "$dir/passwd"
  cat > "$dir/oauth2.conf.ext" <<EOF
introspection_mode = local
local_validation_key_dict = fs:posix:prefix=$dir/oauth/
username_attribute = sub
issuers = $oauth_issuer
client_id = $oauth_audience
EOF
  cat > "$conf" <<EOF
instance_name = prx-email-test
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
info_log_path = $dir/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <$dir/tls/server.crt
ssl_key = <$dir/tls/server.key
disable_plaintext_auth = no
auth_mechanisms = plain login xoauth2 oauthbearer
auth_failure_delay = 0
auth_cache_size = 0
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 1
mail_location = maildir:~/Maildir
mailbox_list_index = yes
mail_plugins = \$mail_plugins zlib
mail_max_userip_connections = 200
passdb {
  driver = passwd-file
  args = scheme=PLAIN $dir/passwd
  mechanisms = plain login
}
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $dir/oauth2.conf.ext
}
userdb {
  driver = passwd-file
  args = $dir/passwd
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    auto = subscribe
    special_use = \\Sent
  }
  mailbox Drafts {
    auto = subscribe
    special_use = \\Drafts
  }
  mailbox Trash {
    auto = subscribe
    special_use = \\Trash
  }
  mailbox Junk {
    auto = subscribe
    special_use = \\Junk
  }
  mailbox Archive {
    auto = subscribe
    special_use = \\Archive
  }
}
protocol imap {
  mail_plugins = \$mail_plugins imap_zlib
  mail_max_userip_connections = 200
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $starttls_port
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = $implicit_port
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    port = 0
  }
  inet_listener pop3s {
    port = 0
  }
}
service submission-login {
  inet_listener submission {
    port = 0
  }
}
# No growing per-IP delay after failed logins: the tests fail logins on purpose, all from 127.0.0.1.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service lmtp {
  unix_listener lmtp {
    mode = 0666
  }
}
EOF
}

write_env() {
  local users_json="" first=1
  for user in $users; do
    [ $first = 1 ] || users_json+=","
    users_json+="\"$user\":\"$user-password\""
    first=0
  done
  cat > "$dir/env.json" <<EOF
{
  "host": "127.0.0.1",
  "implicitPort": $implicit_port,
  "starttlsPort": $starttls_port,
  "caFile": "$dir/tls/ca.crt",
  "otherCaFile": "$dir/tls/other-ca.crt",
  "users": {$users_json},
  "oauth": { "issuer": "$oauth_issuer", "audience": "$oauth_audience", "secretFile": "$dir/oauth/secret" },
  "mailRoot": "$dir/mail",
  "mailUid": $mail_uid,
  "configFile": "$conf",
  "logFile": "$dir/dovecot.log"
}
EOF
}

is_running() {
  [ -f "$dir/run/master.pid" ] && kill -0 "$(cat "$dir/run/master.pid")" 2>/dev/null
}

wait_for_port() {
  local port=$1 i
  for i in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "dovecot did not open port $port" >&2
  return 1
}

case "${1:-}" in
  start)
    install_dovecot
    if is_running; then write_env; exit 0; fi
    make_certs
    write_config
    doveconf -c "$conf" -n >/dev/null
    # The daemon must not keep the caller's stdout/stderr open (a test runner waiting for EOF on
    # them would hang); it logs to its own file.
    dovecot -c "$conf" </dev/null >>"$dir/dovecot-start.log" 2>&1 || { cat "$dir/dovecot-start.log" >&2; exit 1; }
    wait_for_port "$implicit_port"
    wait_for_port "$starttls_port"
    write_env
    echo "dovecot running on 127.0.0.1:$implicit_port (TLS) and :$starttls_port (STARTTLS); env: $dir/env.json" >&2
    ;;
  stop)
    if is_running; then
      pid=$(cat "$dir/run/master.pid")
      kill "$pid"
      for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    fi
    ;;
  status)
    is_running && echo running || { echo stopped; exit 1; }
    ;;
  env)
    cat "$dir/env.json"
    ;;
  reset-user)
    user=${2:?user}
    doveadm -c "$conf" kick "$user" >/dev/null 2>&1 || true
    rm -rf "${dir:?}/mail/$user/Maildir"
    ;;
  *)
    echo "usage: $0 start|stop|status|env|reset-user USER" >&2
    exit 2
    ;;
esac
