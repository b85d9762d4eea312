run_as_root = true
pidfile = "/tmp/pp/p.pid"
data_path = "/tmp/pp"
interfaces = { "127.0.0.1" }
c2s_ports = { 45811 }
c2s_direct_tls_ports = { }
modules_disabled = { "s2s", "s2s_auth_certs" }
modules_enabled = { "roster"; "saslauth"; "tls"; "disco"; "ping" }
log = { { levels = { min = "info" }, to = "console" } }
VirtualHost "localhost"
