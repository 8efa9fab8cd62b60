#!KAMAILIO
# Hotline Desk reference SIP server: registrar and router for agents' extensions over
# SIP/WebSocket, plus UDP/TCP for trunks. Rendered by src/server/telephony/kamailio/
# (never edit a rendered copy). Placeholders are upper-case names in double braces; see kamailio-config.ts.

#!substdef "!SIP_DOMAIN!{{DOMAIN}}!g"
#!substdef "!AUTH_SECRET!{{AUTH_SECRET}}!g"
#!substdef "!RPC_PORT!{{RPC_PORT}}!g"

debug={{LOG_LEVEL}}
log_stderror=yes
log_prefix="{{LOG_PREFIX}}"
memdbg=5
memlog=5
children={{UDP_CHILDREN}}
tcp_children={{TCP_CHILDREN}}
auto_aliases=no
alias="SIP_DOMAIN"

listen=udp:{{SIP_ADDR}}:{{SIP_PORT}}
listen=tcp:{{SIP_ADDR}}:{{SIP_PORT}}
# SIP over WebSocket for the softphones.
listen=tcp:{{WS_ADDR}}:{{WS_PORT}}
{{TLS_LISTEN}}
# JSON-RPC for the backend (loopback only, its own port).
listen=tcp:127.0.0.1:RPC_PORT

tcp_accept_no_cl=yes
tcp_connection_lifetime=3605
tcp_keepalive=yes
tcp_crlf_ping=yes
tcp_rd_buf_size=16384

mpath="{{MODULES_DIR}}"
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "sanity.so"
loadmodule "ctl.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "nathelper.so"
loadmodule "htable.so"
loadmodule "xhttp.so"
loadmodule "websocket.so"
loadmodule "jsonrpcs.so"
loadmodule "auth.so"
loadmodule "auth_ephemeral.so"
{{TLS_MODULE}}

modparam("ctl", "binrpc", "unix:{{RUN_DIR}}/kamailio_ctl")
modparam("tm", "fr_timer", 30000)
modparam("tm", "fr_inv_timer", 120000)
modparam("rr", "enable_full_lr", 1)
modparam("rr", "append_fromtag", 1)
modparam("usrloc", "db_mode", 0)
modparam("registrar", "max_expires", 600)
modparam("registrar", "default_expires", 300)
modparam("registrar", "gruu_enabled", 0)
# WebSocket clients register *.invalid contacts: route to the connection they came from.
modparam("registrar", "received_avp", "$avp(RECEIVED)")
modparam("nathelper", "received_avp", "$avp(RECEIVED)")
modparam("websocket", "keepalive_mechanism", 1)
modparam("websocket", "keepalive_timeout", 30)
modparam("jsonrpcs", "transport", 1)
modparam("jsonrpcs", "pretty_format", 0)
# Short-lived credentials: username "expiry:extension", password base64(HMAC-SHA1(secret, username)).
modparam("auth_ephemeral", "secret", "AUTH_SECRET")
modparam("auth_ephemeral", "username_format", 1)
# Extensions whose earlier credentials were revoked at sign-out: value = the last revoked expiry.
modparam("htable", "htable", "revoked=>size=8;autoexpire={{CREDENTIAL_TTL}};")
{{TLS_PARAMS}}

request_route {
  if (!mf_process_maxfwd_header("10")) {
    sl_send_reply("483", "Too Many Hops");
    exit;
  }
  if (!sanity_check("17895", "7")) {
    exit;
  }
  route(NATDETECT);

  if (is_method("CANCEL")) {
    if (t_check_trans()) {
      route(RELAY);
    }
    exit;
  }

  if (has_totag()) {
    route(WITHINDLG);
    exit;
  }

  t_check_trans();

  if (is_method("REGISTER")) {
    route(REGISTRAR);
    exit;
  }
  if (is_method("OPTIONS") && uri == myself && $rU == $null) {
    sl_send_reply("200", "OK");
    exit;
  }

  route(AUTH);
  remove_hf("Route");
  if (is_method("INVITE|SUBSCRIBE")) {
    record_route();
  }
  if ($rU == $null) {
    sl_send_reply("484", "Address Incomplete");
    exit;
  }
  route(LOCATION);
}

route[NATDETECT] {
  force_rport();
  if (nat_uac_test("64")) {
    if (is_method("REGISTER")) {
      fix_nated_register();
    } else if (is_first_hop()) {
      add_contact_alias();
    }
    setflag(5);
  }
}

# Agents prove who they are with ephemeral credentials; revoked ones are refused.
route[AUTH] {
  if (!autheph_proxy("$fd")) {
    auth_challenge("$fd", "0");
    exit;
  }
  if (!autheph_check_from()) {
    sl_send_reply("403", "Forbidden: From does not match credentials");
    exit;
  }
  route(REVOKED);
  consume_credentials();
}

route[REVOKED] {
  # $aU is the whole "expiry:extension" ($au would be only the part after the colon).
  $var(user) = $(aU{s.select,1,:});
  $var(expiry) = $(aU{s.select,0,:}{s.int});
  if ($sht(revoked=>$var(user)) != $null && $var(expiry) <= $sht(revoked=>$var(user))) {
    xlog("L_NOTICE", "refused revoked credentials of $var(user)\n");
    sl_send_reply("403", "Forbidden: credentials revoked");
    exit;
  }
}

route[REGISTRAR] {
  if (!autheph_www("$td")) {
    www_challenge("$td", "0");
    exit;
  }
  if (!autheph_check_to()) {
    sl_send_reply("403", "Forbidden: To does not match credentials");
    exit;
  }
  route(REVOKED);
  consume_credentials();
  if (!save("location")) {
    sl_reply_error();
  }
  exit;
}

route[LOCATION] {
  if (!lookup("location")) {
    $var(rc) = $rc;
    t_newtran();
    switch ($var(rc)) {
      case -1:
      case -3:
        send_reply("404", "Not Found");
        exit;
      case -2:
        send_reply("405", "Method Not Allowed");
        exit;
    }
  }
  route(RELAY);
}

route[WITHINDLG] {
  if (loose_route()) {
    if (!isdsturiset()) {
      handle_ruri_alias();
    }
    route(RELAY);
    exit;
  }
  if (is_method("ACK")) {
    if (t_check_trans()) {
      route(RELAY);
    }
    exit;
  }
  sl_send_reply("404", "Not here");
  exit;
}

route[RELAY] {
  if (is_method("INVITE|BYE|UPDATE|CANCEL|ACK|REFER|INFO|NOTIFY")) {
    t_on_reply("MANAGE_REPLY");
  }
  if (!t_relay()) {
    sl_reply_error();
  }
  exit;
}

onreply_route[MANAGE_REPLY] {
  if (nat_uac_test("64")) {
    add_contact_alias();
  }
}

event_route[xhttp:request] {
  if ($Rp == RPC_PORT) {
    if ($si == "127.0.0.1" && $hu =~ "^/RPC") {
      jsonrpc_dispatch();
    } else {
      xhttp_reply("403", "Forbidden", "", "");
    }
    exit;
  }
  if ($hdr(Upgrade) =~ "websocket" && $hdr(Connection) =~ "Upgrade" && $rm =~ "GET") {
    if (ws_handle_handshake()) {
      exit;
    }
  }
  xhttp_reply("404", "Not Found", "", "");
}
