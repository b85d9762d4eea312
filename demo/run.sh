#!/usr/bin/env bash
# rosterm's one-command demo: ./demo/run.sh (from anywhere; Debian with a Rust toolchain).
#
# What it does:
#   1. installs the Debian packages it needs when missing (prosody, python3-slixmpp, openssl;
#      with sudo when not root);
#   2. builds rosterm (cargo build --release) unless ROSTERM_BIN names a prebuilt binary;
#   3. in a fresh temp dir: a self-signed certificate for `localhost`, a throwaway Prosody
#      (loopback only, free ports, STARTTLS required, no s2s) with two users, demo@localhost
#      (password "demo") and work@localhost (password "work"), each with its roster from
#      assets/demo/contacts.json (a contact goes to the accounts in its "accounts" list,
#      default ["demo"]: 44 contacts for demo, 17 for work, 6 Work colleagues in both), and
#      the component bots.localhost, played by demo/bots.py: those contacts, online on 1-3
#      devices each, changing presence every few seconds, seen by each account that has
#      them; and irc.localhost, a XEP-0100 gateway (demo/gateway.py: slixmpp's gateway
#      plugin, bridging to nothing) that /gateways lists and /register fills the form of,
#      with "Ada (IRC)" behind it in demo's roster (tagged [irc]);
#   4. runs rosterm in this terminal with both accounts (named "demo" and "work") in one
#      roster: a contact of both accounts is two rows, each tagged with its account, and
#      the header has a line per account.
# When rosterm exits (or on Ctrl-C, an error, SIGTERM/SIGHUP) it stops the bots and Prosody
# and deletes the temp dir, and exits with rosterm's exit code. Nothing outside the temp dir
# is touched (apart from installing packages, cargo's target/ dir and rosterm's own log file).
#
# Environment:
#   DEMO_NO_ROSTERM=1   set everything up but don't build or run rosterm: print the rosterm
#                       config path and the ports, then wait for Ctrl-C/SIGTERM (for
#                       developing, and for tests).
#   ROSTERM_BIN=PATH    run this rosterm binary instead of building one with cargo.
#   DEMO_C2S_PORT, DEMO_COMPONENT_PORT   fixed ports instead of free ones.
#   DEMO_INTERVAL       mean seconds between rounds of presence changes (default 3).
#   DEMO_KEEP=1         keep the temp dir (logs) on exit.
set -euo pipefail

DEMO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(dirname "$DEMO_DIR")"
PY=/usr/bin/python3 # Debian's python, the one python3-slixmpp is installed for
CONTACTS_JSON="$REPO/assets/demo/contacts.json"
DOMAIN=localhost
BOTS_DOMAIN=bots.localhost
GATEWAY_DOMAIN=irc.localhost
# The demo's accounts: each one's name (in rosterm and in contacts.json's "accounts" lists)
# is also its user name and its password.
ACCOUNTS=(demo work)

TMP=""
PROSODY_PID=""
BOTS_PID=""
GATEWAY_PID=""

say() { printf 'demo: %s\n' "$*" >&2; }

# die MESSAGE [LOGFILE]: print the error (and the end of LOGFILE), exit 1 (the trap cleans up).
die() {
  printf 'demo: error: %s\n' "$1" >&2
  if [ -n "${2:-}" ] && [ -s "$2" ]; then
    printf -- '--- last lines of %s:\n' "$2" >&2
    tail -n 15 "$2" >&2
    printf -- '---\n' >&2
  fi
  exit 1
}

# Stop one child: SIGTERM, up to 5 s, then SIGKILL.
stop_pid() {
  local pid=$1 i
  [ -n "$pid" ] || return 0
  kill "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM HUP
  stop_pid "$BOTS_PID"
  stop_pid "$GATEWAY_PID"
  stop_pid "$PROSODY_PID"
  if [ -n "$TMP" ] && [ -d "$TMP" ]; then
    if [ "${DEMO_KEEP:-}" = 1 ]; then
      say "kept $TMP"
    else
      rm -rf "$TMP"
    fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ---------------------------------------------------------------------------------------
# 1. Packages, and what is needed to run rosterm.

NO_ROSTERM="${DEMO_NO_ROSTERM:-}"
[ "$NO_ROSTERM" = 0 ] && NO_ROSTERM=""
if [ -z "$NO_ROSTERM" ]; then
  if [ -n "${ROSTERM_BIN:-}" ]; then
    [ -x "$ROSTERM_BIN" ] || die "ROSTERM_BIN=$ROSTERM_BIN is not an executable file"
  elif ! command -v cargo >/dev/null; then
    die "cargo not found: install a Rust toolchain (https://rustup.rs), or set ROSTERM_BIN to a rosterm binary"
  fi
fi

need=()
command -v prosody >/dev/null || need+=(prosody)
command -v prosodyctl >/dev/null || need+=(prosody)
command -v openssl >/dev/null || need+=(openssl)
[ -x "$PY" ] && "$PY" -c 'import slixmpp' 2>/dev/null || need+=(python3-slixmpp)
if [ ${#need[@]} -gt 0 ]; then
  mapfile -t need < <(printf '%s\n' "${need[@]}" | sort -u)
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "need root or sudo to install ${need[*]}"
    SUDO=sudo
  fi
  command -v apt-get >/dev/null || die "missing ${need[*]}, and no apt-get to install them (this demo expects Debian or Ubuntu)"
  say "installing ${need[*]} (Debian packages)..."
  $SUDO apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  command -v prosodyctl >/dev/null && command -v openssl >/dev/null &&
    "$PY" -c 'import slixmpp' 2>/dev/null || die "${need[*]} still missing after apt-get install"
  if [[ " ${need[*]} " == *" prosody "* ]]; then
    say "note: Debian also enabled its system-wide Prosody service; the demo doesn't use it"
    say "      ('sudo systemctl disable --now prosody' turns it off)"
  fi
fi

# ---------------------------------------------------------------------------------------
# 2. rosterm.

if [ -z "$NO_ROSTERM" ]; then
  if [ -n "${ROSTERM_BIN:-}" ]; then
    BIN="$ROSTERM_BIN"
  else
    say "building rosterm (cargo build --release; the first build takes a few minutes)..."
    (cd "$REPO" && cargo build --release) || die "cargo build failed"
    BIN="${CARGO_TARGET_DIR:-target}/release/rosterm"
    [[ "$BIN" = /* ]] || BIN="$REPO/$BIN"
    [ -x "$BIN" ] || die "cargo build succeeded but $BIN is not there"
  fi
fi

# ---------------------------------------------------------------------------------------
# 3. Prosody and the bots, in a temp dir.

TMP="$(mktemp -d "${TMPDIR:-/tmp}/rosterm-demo.XXXXXX")"
mkdir "$TMP/data"

# Certificate for `localhost` that rustls accepts (SAN = the JID's domain, CA:FALSE).
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
  -subj /CN=localhost -addext subjectAltName=DNS:localhost \
  -addext basicConstraints=critical,CA:FALSE -addext extendedKeyUsage=serverAuth \
  -keyout "$TMP/localhost.key" -out "$TMP/localhost.crt" >"$TMP/openssl.log" 2>&1 ||
  die "openssl could not make a certificate" "$TMP/openssl.log"

# Two free loopback ports (bound at once so they differ), unless given.
if [ -n "${DEMO_C2S_PORT:-}" ] && [ -n "${DEMO_COMPONENT_PORT:-}" ]; then
  C2S_PORT=$DEMO_C2S_PORT
  COMPONENT_PORT=$DEMO_COMPONENT_PORT
else
  read -r free1 free2 < <("$PY" -c '
import socket
socks = [socket.socket() for _ in range(2)]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in socks))
') || die "could not find free ports"
  C2S_PORT=${DEMO_C2S_PORT:-$free1}
  COMPONENT_PORT=${DEMO_COMPONENT_PORT:-$free2}
fi
SECRET="$(openssl rand -hex 16)"

CFG="$TMP/prosody.cfg.lua"
cat >"$CFG" <<EOF
-- Throwaway Prosody for rosterm's demo, written by demo/run.sh (deleted on exit).
run_as_root = true
pidfile = "$TMP/prosody.pid"
data_path = "$TMP/data"
certificates = "$TMP"
log = { { levels = { min = "info" }, to = "console" } }

interfaces = { "127.0.0.1" }
c2s_ports = { $C2S_PORT }
c2s_direct_tls_ports = { }
component_interfaces = { "127.0.0.1" }
component_ports = { $COMPONENT_PORT }
c2s_require_encryption = true
ssl = { certificate = "$TMP/localhost.crt"; key = "$TMP/localhost.key" }

authentication = "internal_hashed"
storage = "internal"
allow_registration = false
modules_enabled = { "roster"; "saslauth"; "tls"; "disco"; "ping"; "carbons"; "smacks"; "mam" }
modules_disabled = { "s2s"; "s2s_auth_certs" }
-- A killed client otherwise lingers as a hibernating session for 10 minutes.
smacks_hibernation_time = 60

VirtualHost "$DOMAIN"

Component "$BOTS_DOMAIN"
    component_secret = "$SECRET"

Component "$GATEWAY_DOMAIN"
    component_secret = "$SECRET"

-- The demo's busy room lives here (unlocked at creation: the bots do not configure it).
Component "conference.$DOMAIN" "muc"
    modules_enabled = { "muc_mam" }
    muc_room_locking = false
EOF

PROSODY_LOG="$TMP/prosody.log"
prosody --config "$CFG" -F </dev/null >"$PROSODY_LOG" 2>&1 &
PROSODY_PID=$!

# Ready when both listeners are up. Prosody keeps running when it cannot bind a port (it
# only logs it), and the port may then answer for another program: check the log too.
port_open() { (: <"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for ((i = 0; ; i++)); do
  kill -0 "$PROSODY_PID" 2>/dev/null || die "prosody exited at startup" "$PROSODY_LOG"
  if grep -q "Failed to open server port" "$PROSODY_LOG"; then
    die "prosody could not listen on its ports ($C2S_PORT, $COMPONENT_PORT)" "$PROSODY_LOG"
  fi
  if grep -q "Activated service 'c2s' on" "$PROSODY_LOG" &&
    grep -q "Activated service 'component' on" "$PROSODY_LOG" &&
    port_open "$C2S_PORT" && port_open "$COMPONENT_PORT"; then
    break
  fi
  ((i < 200)) || die "prosody did not open ports $C2S_PORT and $COMPONENT_PORT within 10 s" "$PROSODY_LOG"
  sleep 0.05
done

# The demo users, each with its roster written straight into Prosody's storage (a Lua
# table): the contacts whose "accounts" list names it.
mkdir -p "$TMP/data/$DOMAIN/roster"
declare -A CONTACTS=()
for user in "${ACCOUNTS[@]}"; do
  prosodyctl --config "$CFG" register "$user" "$DOMAIN" "$user" >"$TMP/prosodyctl.log" 2>&1 ||
    die "prosodyctl could not register $user@$DOMAIN" "$TMP/prosodyctl.log"
  roster="$TMP/data/$DOMAIN/roster/$user.dat"
  "$PY" - "$CONTACTS_JSON" "$BOTS_DOMAIN" "$user" "$GATEWAY_DOMAIN" >"$roster" <<'EOF' ||
import json, sys

def lua(s):
    """A Lua string literal (UTF-8 bytes pass through)."""
    out = ['"']
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 32 or ord(ch) == 127:
            out.append("\\%03d" % ord(ch))
        else:
            out.append(ch)
    return "".join(out) + '"'

contacts = json.load(open(sys.argv[1], encoding="utf-8"))["contacts"]
domain, account, gateway = sys.argv[2], sys.argv[3], sys.argv[4]
print("return {")
print("\t[false] = { version = 1; pending = {} };")
if account == "demo":
    # Behind the IRC gateway (XEP-0100 JID escaping: nick%network@gateway).
    print("\t[%s] = { subscription = \"both\"; name = \"Ada (IRC)\"; groups = { [\"IRC\"] = true } };"
          % lua("ada%%irc.libera.chat@%s" % gateway))
for c in contacts:
    if account not in c.get("accounts", ["demo"]):
        continue
    groups = "; ".join("[%s] = true" % lua(g) for g in c.get("groups", []))
    print("\t[%s] = { subscription = \"both\"; name = %s; groups = { %s } };"
          % (lua("%s@%s" % (c["user"], domain)), lua(c["name"]), groups))
print("}")
EOF
    die "could not write $user's roster from $CONTACTS_JSON"
  CONTACTS[$user]=$(grep -c 'subscription = "both"' "$roster") ||
    die "$CONTACTS_JSON puts no contact in the account $user (its \"accounts\" lists)"
done

# The bots must be connected before the demo users log in: Prosody probes every roster
# contact at login. Each account's name in contacts.json is its user name.
BOTS_LOG="$TMP/bots.log"
TO=()
for user in "${ACCOUNTS[@]}"; do TO+=(--to "$user=$user@$DOMAIN"); done
"$PY" "$DEMO_DIR/bots.py" --port "$COMPONENT_PORT" --secret "$SECRET" --domain "$BOTS_DOMAIN" \
  --room "lounge@conference.$DOMAIN" \
  "${TO[@]}" --interval "${DEMO_INTERVAL:-3}" --contacts "$CONTACTS_JSON" \
  --log "$BOTS_LOG" --ready-file "$TMP/bots.ready" </dev/null >>"$BOTS_LOG" 2>&1 &
BOTS_PID=$!
for ((i = 0; ; i++)); do
  [ -e "$TMP/bots.ready" ] && break
  kill -0 "$BOTS_PID" 2>/dev/null || die "the bots (demo/bots.py) exited at startup" "$BOTS_LOG"
  ((i < 200)) || die "the bots did not connect to prosody within 10 s" "$BOTS_LOG"
  sleep 0.05
done

# The IRC gateway (it bridges to no network; its registration form is real).
GATEWAY_LOG="$TMP/gateway.log"
"$PY" "$DEMO_DIR/gateway.py" "$GATEWAY_DOMAIN" "$SECRET" "$COMPONENT_PORT" irc "Demo IRC" serve \
  </dev/null >"$GATEWAY_LOG" 2>&1 &
GATEWAY_PID=$!
for ((i = 0; ; i++)); do
  grep -q '^ready$' "$GATEWAY_LOG" 2>/dev/null && break
  kill -0 "$GATEWAY_PID" 2>/dev/null || die "the gateway (demo/gateway.py) exited at startup" "$GATEWAY_LOG"
  ((i < 200)) || die "the gateway did not connect to prosody within 10 s" "$GATEWAY_LOG"
  sleep 0.05
done

ROSTERM_CFG="$TMP/rosterm.toml"
cat >"$ROSTERM_CFG" <<EOF
# rosterm config for the demo, written by demo/run.sh (deleted on exit).
[[account]]
name = "demo"
jid = "demo@$DOMAIN"
password = "demo"
resource = "rosterm"
server = "127.0.0.1"
port = $C2S_PORT
tls = "starttls"
ca_file = "$TMP/localhost.crt"

[[account]]
name = "work"
jid = "work@$DOMAIN"
password = "work"
resource = "rosterm"
server = "127.0.0.1"
port = $C2S_PORT
tls = "starttls"
ca_file = "$TMP/localhost.crt"
presence = { status = "At my desk" }

[presence]
show = "online"
status = "Trying rosterm"
priority = 5

[rooms]
nick = "Demo"
join = ["lounge@conference.$DOMAIN"]

[storage]
path = "$TMP/rosterm.sqlite3"
EOF
chmod 600 "$ROSTERM_CFG" # it holds a password

# ---------------------------------------------------------------------------------------
# 4. rosterm (or wait, with DEMO_NO_ROSTERM=1).

if [ -n "$NO_ROSTERM" ]; then
  cat >&2 <<EOF
demo: ready: demo@$DOMAIN (password "demo") with ${CONTACTS[demo]} contacts @$BOTS_DOMAIN
demo: ready: work@$DOMAIN (password "work") with ${CONTACTS[work]} contacts @$BOTS_DOMAIN
demo: rosterm config: $ROSTERM_CFG
demo: c2s port: $C2S_PORT (STARTTLS, CA file $TMP/localhost.crt)
demo: component port: $COMPONENT_PORT (secret $SECRET)
demo: logs: $PROSODY_LOG, $BOTS_LOG
demo: Ctrl-C or SIGTERM stops it all
EOF
  # Returns when a trapped signal arrives (the trap exits) or when prosody or the bots die.
  set +e
  wait -n "$PROSODY_PID" "$BOTS_PID"
  set -e
  if ! kill -0 "$PROSODY_PID" 2>/dev/null; then
    PROSODY_PID=""
    die "prosody exited" "$PROSODY_LOG"
  fi
  BOTS_PID=""
  die "the bots exited" "$BOTS_LOG"
fi

say "scripting it from another terminal: $BIN --config $ROSTERM_CFG events   (or: ctl presence away, status)"
say "starting rosterm as demo@$DOMAIN (${CONTACTS[demo]} contacts) and work@$DOMAIN (${CONTACTS[work]} contacts); quit rosterm to stop the demo"
rc=0
"$BIN" --config "$ROSTERM_CFG" || rc=$?
exit "$rc"
