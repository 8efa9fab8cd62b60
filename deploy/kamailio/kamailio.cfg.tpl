#!KAMAILIO
# Hotline Desk reference SIP server: registrar and router for agents' extensions over
# SIP/WebSocket, plus UDP/TCP for trunks. Rendered by src/server/telephony/kamailio/
# (never edit a rendered copy). Placeholders are upper-case names in double braces; see kamailio-config.ts.

#!substdef "!SIP_DOMAIN!{{DOMAIN}}!g"
#!substdef "!AUTH_SECRET!{{AUTH_SECRET}}!g"
#!substdef "!RPC_PORT!{{RPC_PORT}}!g"
#!substdef "!ACD_WAIT_CAP_MS!{{ACD_WAIT_CAP_MS}}!g"
# Media bridge (rtpengine) between trunks and WebRTC agents, when this site has one.
{{RTPENGINE_DEFINE}}

debug={{LOG_LEVEL}}
log_stderror=yes
log_prefix="{{LOG_PREFIX}}"
memdbg=5
memlog=5
children={{UDP_CHILDREN}}
tcp_children={{TCP_CHILDREN}}
auto_aliases=no
# Every suspension while a queue call waits and every agent offered adds a branch to the
# caller's INVITE transaction: 30 (the most tm's branch bitmap allows) gives 14 offers per call.
max_branches=30
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
loadmodule "evapi.so"
loadmodule "jansson.so"
loadmodule "uac.so"
#!ifdef WITH_RTPENGINE
loadmodule "rtpengine.so"
#!endif
{{TLS_MODULE}}

modparam("ctl", "binrpc", "unix:{{RUN_DIR}}/kamailio_ctl")
modparam("tm", "fr_timer", 30000)
modparam("tm", "fr_inv_timer", 120000)
# A queue call's INVITE transaction lives while the caller waits and agents are offered;
# the ACD overflows long before this (its maximum wait), this only bounds a lost call.
modparam("tm", "max_inv_lifetime", 3600000)
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
# ACD: the numbers the backend serves as queues (pushed over JSON-RPC), the authenticated
# backend connections on evapi, and answered queue calls until their BYE (key Call-ID).
modparam("htable", "htable", "queues=>size=4;")
modparam("htable", "htable", "acdlink=>size=3;")
modparam("htable", "htable", "acdcall=>size=10;autoexpire=43200;")
modparam("htable", "htable", "acdwait=>size=10;autoexpire=3700;")
# The backend connects here (loopback only) to receive call facts and send routing decisions.
modparam("evapi", "bind_addr", "127.0.0.1:{{EVAPI_PORT}}")
modparam("evapi", "netstring_format", 1)
modparam("pv", "shvset", "acd_links=i:0")
# 1 while the backend's voice service (announcements, menu, music on hold) answers trunk calls; set over RPC.
modparam("pv", "shvset", "ivr=i:0")
{{TLS_PARAMS}}
# Bridged calls (trunk <-> WebRTC agent) until their media session is deleted: key Call-ID.
modparam("htable", "htable", "media=>size=10;autoexpire=43200;")
#!ifdef WITH_RTPENGINE
modparam("rtpengine", "rtpengine_sock", "{{RTPENGINE_SOCK}}")
#!endif

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
      if ($sht(acdwait=>$ci) != $null) {
        route(ACD_ABANDONED);
      }
      route(MEDIA_END);
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

  # A trunk's calls come without credentials from its allowed sources; anyone else proves who they are.
  if (!route(TRUNK_MATCH)) {
    route(AUTH);
  }
  remove_hf("Route");
  if (is_method("INVITE|SUBSCRIBE")) {
    record_route();
  }
  if ($rU == $null) {
    sl_send_reply("484", "Address Incomplete");
    exit;
  }
  if ($sht(queues=>$rU) != $null) {
    route(ACD_QUEUE);
    exit;
  }
  route(TRUNK_OUT);
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
  # A supervisor's monitoring leg (X-Hotline-Monitor, see src/shared/api/supervisor.ts) is
  # not a call: the agent's softphone accepts it only with a grant the backend confirms, and
  # it must not appear in call records or move anyone's agent state.
  if (is_method("INVITE") && !is_present_hf("X-Hotline-Monitor")) {
    route(LEG_START);
  }
  if (!route(MEDIA_OFFER)) {
    send_reply("503", "Media Bridge Unavailable");
    exit;
  }
  route(RELAY);
}

route[WITHINDLG] {
  if (is_method("BYE")) {
    route(MEDIA_END);
  } else if (is_method("INVITE|UPDATE") && has_body("application/sdp") && $sht(media=>$ci) != $null) {
    route(MEDIA_REOFFER);
  }
  if ($sht(acdcall=>$ci::agent) != $null) {
    if (is_method("BYE")) {
      route(ACD_ENDED);
    } else if (is_method("INVITE") && has_body("application/sdp")) {
      route(ACD_MEDIA);
    }
  }
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
  if (is_method("INVITE|BYE|UPDATE|CANCEL|ACK|REFER|INFO|NOTIFY") && !t_is_set("onreply_route")) {
    t_on_reply("MANAGE_REPLY");
  }
  if (!t_relay()) {
    sl_reply_error();
  }
  exit;
}

onreply_route[MANAGE_REPLY] {
  route(MEDIA_ANSWER);
  if (nat_uac_test("64")) {
    add_contact_alias();
  }
}

# ---------------------------------------------------------------------------------------
# ACD. A call to a queue number is suspended (t_suspend: no worker waits) with ringback
# while the backend decides; the backend's decision arrives over evapi and resumes the
# transaction (t_continue) into ACD_OFFER (ring an agent) or ACD_REPLY_FINAL (overflow,
# reject). A failed offer suspends the transaction again for the next decision. Events to
# the backend are JSON objects {"t": <kind>, ...} in netstrings; see evapi-protocol.ts.
# ---------------------------------------------------------------------------------------

route[ACD_QUEUE] {
  if (!is_method("INVITE")) {
    sl_send_reply("405", "Method Not Allowed");
    exit;
  }
  if (!t_newtran()) {
    sl_reply_error();
    exit;
  }
  if ($shv(acd_links) < 1) {
    xlog("L_WARN", "ACD: no backend connected; refusing queue call $ci to $rU\n");
    t_reply("503", "Service Unavailable: ACD offline");
    exit;
  }
  t_reply("180", "Ringing");
  $sht(acdwait=>$ci) = 1;
  $avp(acd_callid) = $ci;
  $avp(acd_ftag) = $ft;
  $var(ev) = "{}";
  jansson_set("string", "t", "arrived", "$var(ev)");
  jansson_set("string", "dialled", "$rU", "$var(ev)");
  if ($fU != $null) {
    jansson_set("string", "caller", "$fU", "$var(ev)");
  } else {
    jansson_set("string", "caller", "anonymous", "$var(ev)");
  }
  if ($avp(trunk) != $null) {
    jansson_set("string", "trunk", "$avp(trunk)", "$var(ev)");
  }
#!ifdef WITH_RTPENGINE
  # The voice service answers a trunk caller with early media: the backend takes the caller's
  # offer into an rtpengine session of its own (Call-ID "<Call-ID>-ivr"), sends 183 with its
  # SDP (tm.reply over binrpc) and plays announcements. The agent's answer (200 OK, the
  # bridged session's SDP) ends it; the backend releases it on every other end.
  if ($shv(ivr) == 1 && $avp(trunk) != $null && has_body("application/sdp")) {
    jansson_set("string", "ftag", "$ft", "$var(ev)");
    jansson_set("string", "sdp", "$rb", "$var(ev)");
    $avp(ivr) = 1;
  }
#!endif
  route(ACD_SUSPEND);
}

# Suspends the transaction and tells the backend, whose next decision resumes it.
# $var(ev) holds the event; the transaction's identity is added here.
route[ACD_SUSPEND] {
  t_on_failure("ACD_FAILED");
  # The suspension times out (failure route with 408) if the backend never decides.
  t_set_fr(0, ACD_WAIT_CAP_MS);
  if (!t_suspend()) {
    xlog("L_ERR", "ACD: cannot suspend $ci (branch limit?); call lost\n");
    $sht(acdwait=>$avp(acd_callid)) = $null;
    t_reply("480", "Temporarily Unavailable");
    $var(lost) = "{}";
    jansson_set("string", "t", "lost", "$var(lost)");
    jansson_set("string", "callId", "$avp(acd_callid)", "$var(lost)");
    jansson_set("string", "reason", "suspend_failed", "$var(lost)");
    evapi_unicast("$var(lost)", "backend");
    exit;
  }
  jansson_set("string", "callId", "$avp(acd_callid)", "$var(ev)");
  jansson_set("integer", "index", "$T(id_index)", "$var(ev)");
  jansson_set("integer", "label", "$T(id_label)", "$var(ev)");
  evapi_unicast("$var(ev)", "backend");
  exit;
}

# Resumed by an "offer" decision: ring the agent's extension for ringSeconds.
route[ACD_OFFER] {
  $avp(acd_agent) = $var(d_agent);
  $ru = "sip:" + $var(d_ext) + "@SIP_DOMAIN";
  $du = $null;
  if (!lookup("location")) {
    xlog("L_NOTICE", "ACD: $var(d_ext) is not registered; offer of $ci failed\n");
    $var(ev) = "{}";
    jansson_set("string", "t", "offer-failed", "$var(ev)");
    jansson_set("string", "agentId", "$avp(acd_agent)", "$var(ev)");
    jansson_set("integer", "code", "404", "$var(ev)");
    $avp(acd_agent) = $null;
    route(ACD_SUSPEND);
  }
  $var(ring_ms) = $var(d_ring) * 1000;
  t_set_fr($var(ring_ms), $var(ring_ms));
  t_on_failure("ACD_FAILED");
  t_on_reply("ACD_REPLY");
  if (!route(MEDIA_OFFER)) {
    $var(ev) = "{}";
    jansson_set("string", "t", "offer-failed", "$var(ev)");
    jansson_set("string", "agentId", "$avp(acd_agent)", "$var(ev)");
    jansson_set("integer", "code", "503", "$var(ev)");
    $avp(acd_agent) = $null;
    route(ACD_SUSPEND);
  }
  if (!t_relay()) {
    xlog("L_ERR", "ACD: relaying $ci to $var(d_ext) failed\n");
    $var(ev) = "{}";
    jansson_set("string", "t", "offer-failed", "$var(ev)");
    jansson_set("string", "agentId", "$avp(acd_agent)", "$var(ev)");
    jansson_set("integer", "code", "503", "$var(ev)");
    $avp(acd_agent) = $null;
    route(ACD_SUSPEND);
  }
  exit;
}

# Resumed by an overflow/reject decision: the caller gets a final reply.
route[ACD_REPLY_FINAL] {
  $sht(acdwait=>$ci) = $null;
  route(MEDIA_END);
  t_reply("$var(d_status)", "$var(d_reason)");
  exit;
}

failure_route[ACD_FAILED] {
  # A cancelled call was reported by the CANCEL itself (tm runs no failure route for a
  # suspended transaction's cancelled blind branch, so the report cannot live here).
  if (t_is_canceled()) {
    exit;
  }
  if ($avp(acd_agent) == $null) {
    # The suspension timed out: the backend never decided.
    xlog("L_ERR", "ACD: no decision for $ci within the wait cap; call lost\n");
    $sht(acdwait=>$ci) = $null;
    route(MEDIA_END);
    t_reply("480", "Temporarily Unavailable");
    $var(ev) = "{}";
    jansson_set("string", "t", "lost", "$var(ev)");
    jansson_set("string", "callId", "$avp(acd_callid)", "$var(ev)");
    jansson_set("string", "reason", "no_decision", "$var(ev)");
    evapi_unicast("$var(ev)", "backend");
    exit;
  }
  $var(ev) = "{}";
  jansson_set("string", "t", "offer-failed", "$var(ev)");
  jansson_set("string", "agentId", "$avp(acd_agent)", "$var(ev)");
  jansson_set("integer", "code", "$T_reply_code", "$var(ev)");
  $avp(acd_agent) = $null;
  route(ACD_SUSPEND);
}

# A call that is not a queue call (agent to agent, agent to a citizen, a transfer's new leg):
# the backend records it; its answer, end and hold are reported like a queue call's.
route[LEG_START] {
  $avp(acd_callid) = $ci;
  $avp(acd_ftag) = $ft;
  $var(ev) = "{}";
  jansson_set("string", "t", "leg", "$var(ev)");
  jansson_set("string", "callId", "$ci", "$var(ev)");
  jansson_set("string", "caller", "$fU", "$var(ev)");
  jansson_set("string", "called", "$rU", "$var(ev)");
  if (is_present_hf("Referred-By")) {
    jansson_set("string", "referredBy", "$(hdr(Referred-By){nameaddr.uri}{uri.user})", "$var(ev)");
  }
  evapi_unicast("$var(ev)", "backend");
  t_on_reply("ACD_REPLY");
  t_on_failure("LEG_FAILED");
}

# Unanswered leg (busy, rejected, not answered, or the caller cancelled).
failure_route[LEG_FAILED] {
  route(MEDIA_END);
  $var(ev) = "{}";
  jansson_set("string", "t", "abandoned", "$var(ev)");
  jansson_set("string", "callId", "$avp(acd_callid)", "$var(ev)");
  evapi_unicast("$var(ev)", "backend");
}

# A re-INVITE of a tracked call: sendonly/inactive puts the other side on hold.
route[ACD_MEDIA] {
  $var(ev) = "{}";
  jansson_set("string", "t", "media", "$var(ev)");
  jansson_set("string", "callId", "$ci", "$var(ev)");
  if ($ft == $sht(acdcall=>$ci::ftag)) {
    jansson_set("string", "from", "caller", "$var(ev)");
  } else {
    jansson_set("string", "from", "callee", "$var(ev)");
  }
  if (search_body("a=(sendonly|inactive)")) {
    jansson_set("string", "dir", "hold", "$var(ev)");
  } else {
    jansson_set("string", "dir", "active", "$var(ev)");
  }
  evapi_unicast("$var(ev)", "backend");
}

onreply_route[ACD_REPLY] {
#!ifdef WITH_RTPENGINE
  # While the voice service plays to the caller (183 early media), the agent's ringing is not
  # relayed: on a 180 without SDP callers stop the early media and ring locally (baresip 1.0
  # does), so the music on hold would stop while the agent's phone rings. The caller already
  # had our 180 and 183; the agent's 200 OK goes through as before.
  if ($avp(ivr) != $null && status =~ "^18[0-9]$") {
    drop;
  }
#!endif
  route(MEDIA_ANSWER);
  if (nat_uac_test("64")) {
    add_contact_alias();
  }
  if (status =~ "^2[0-9][0-9]$" && $sht(acdcall=>$ci::agent) == $null) {
#!ifdef WITH_RTPENGINE
    # The agent answered: the voice session (music on hold) ends here, before the caller hears the agent (the backend may lag).
    if ($avp(ivr) != $null) {
      rtpengine_delete("call-id=$ci-ivr");
      $avp(ivr) = $null;
    }
#!endif
    $sht(acdwait=>$ci) = $null;
    $var(ev) = "{}";
    jansson_set("string", "t", "answered", "$var(ev)");
    jansson_set("string", "callId", "$ci", "$var(ev)");
    if ($avp(acd_agent) != $null) {
      $sht(acdcall=>$ci::agent) = $avp(acd_agent);
      jansson_set("string", "agentId", "$avp(acd_agent)", "$var(ev)");
    } else {
      $sht(acdcall=>$ci::agent) = "-";
    }
    $sht(acdcall=>$ci::ftag) = $avp(acd_ftag);
    jansson_set("string", "ftag", "$avp(acd_ftag)", "$var(ev)");
    evapi_unicast("$var(ev)", "backend");
  }
}

# The caller's CANCEL of a queue call not answered yet (waiting, or an agent rings).
route[ACD_ABANDONED] {
  $sht(acdwait=>$ci) = $null;
  $var(ev) = "{}";
  jansson_set("string", "t", "abandoned", "$var(ev)");
  jansson_set("string", "callId", "$ci", "$var(ev)");
  evapi_unicast("$var(ev)", "backend");
}

# BYE of an answered queue call (before it is relayed): who hung up ends the call.
route[ACD_ENDED] {
  $var(ev) = "{}";
  jansson_set("string", "t", "ended", "$var(ev)");
  jansson_set("string", "callId", "$ci", "$var(ev)");
  if ($ft == $sht(acdcall=>$ci::ftag)) {
    jansson_set("string", "by", "caller", "$var(ev)");
  } else {
    jansson_set("string", "by", "agent", "$var(ev)");
  }
  $sht(acdcall=>$ci::agent) = $null;
  $sht(acdcall=>$ci::ftag) = $null;
  evapi_unicast("$var(ev)", "backend");
}

event_route[evapi:connection-new] {
  if ($evapi(srcaddr) != "127.0.0.1") {
    evapi_close();
    exit;
  }
}

event_route[evapi:connection-closed] {
  if ($sht(acdlink=>$evapi(conidx)) != $null) {
    $sht(acdlink=>$evapi(conidx)) = $null;
    $shv(acd_links) = $shv(acd_links) - 1;
    xlog("L_WARN", "ACD: backend disconnected from evapi\n");
  }
}

# Messages from the backend: "hello" (authenticates the connection with the shared
# secret) and decisions for a suspended transaction (index, label, callId).
event_route[evapi:message-received] {
  $var(m) = $evapi(msg);
  $var(t) = "";
  jansson_get("t", "$var(m)", "$var(t)");
  if ($var(t) == "hello") {
    $var(secret) = "";
    jansson_get("secret", "$var(m)", "$var(secret)");
    if ($var(secret) != "AUTH_SECRET") {
      xlog("L_WARN", "ACD: evapi client $evapi(srcaddr):$evapi(srcport) sent a wrong secret\n");
      evapi_close();
      exit;
    }
    if ($sht(acdlink=>$evapi(conidx)) == $null) {
      $sht(acdlink=>$evapi(conidx)) = 1;
      $shv(acd_links) = $shv(acd_links) + 1;
    }
    evapi_set_tag("backend");
    evapi_unicast("{\"t\":\"hello\"}", "backend");
    exit;
  }
  if ($sht(acdlink=>$evapi(conidx)) == $null) {
    xlog("L_WARN", "ACD: evapi message before hello; closing\n");
    evapi_close();
    exit;
  }
  $var(d_index) = 0;
  $var(d_label) = 0;
  $var(d_callid) = "";
  jansson_get("index", "$var(m)", "$var(d_index)");
  jansson_get("label", "$var(m)", "$var(d_label)");
  jansson_get("callId", "$var(m)", "$var(d_callid)");
  if ($var(t) == "offer") {
    jansson_get("agentId", "$var(m)", "$var(d_agent)");
    jansson_get("extension", "$var(m)", "$var(d_ext)");
    jansson_get("ringSeconds", "$var(m)", "$var(d_ring)");
    if (!($var(d_ext) =~ "^[0-9A-Za-z._-]+$")) {
      xlog("L_ERR", "ACD: offer with an invalid extension\n");
      exit;
    }
    $var(route) = "ACD_OFFER";
  } else if ($var(t) == "reply") {
    jansson_get("status", "$var(m)", "$var(d_status)");
    jansson_get("reason", "$var(m)", "$var(d_reason)");
    $var(route) = "ACD_REPLY_FINAL";
  } else {
    xlog("L_ERR", "ACD: unknown evapi message type [$var(t)]\n");
    exit;
  }
  if (!t_continue("$var(d_index)", "$var(d_label)", "$var(route)")) {
    $var(ev) = "{}";
    jansson_set("string", "t", "dropped", "$var(ev)");
    jansson_set("string", "callId", "$var(d_callid)", "$var(ev)");
    jansson_set("string", "decision", "$var(t)", "$var(ev)");
    evapi_unicast("$var(ev)", "backend");
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

# ---------------------------------------------------------------------------------------
# Trunks and the media bridge. A call between a trunk (plain RTP/AVP, G.711) and a WebRTC
# agent (ICE, DTLS-SRTP, rtcp-mux) goes through rtpengine, in both directions; calls between
# agents never do. The offer is rewritten for whoever receives it, chosen after the
# destination is known (lookup or the outbound trunk); the direction travels to the reply
# route in $avp(media_to) — an AVP rather than a message flag because it must survive the
# ACD's t_suspend/t_continue. htable media remembers bridged calls until BYE, CANCEL or a
# final failure deletes their rtpengine session.
# ---------------------------------------------------------------------------------------

{{TRUNK_ROUTES}}

# An agent's call to a citizen's number (not a registered extension) leaves through the
# outbound trunk with the hotline's caller id.
route[TRUNK_OUT] {
  if (!is_method("INVITE") || $avp(trunk) != $null || !($proto == "ws" || $proto == "wss")) {
    return 1;
  }
  if (!($rU =~ "{{EXTERNAL_NUMBER}}") || registered("location")) {
    return 1;
  }
  if (!route(TRUNK_OUT_TARGET)) {
    xlog("L_NOTICE", "no outbound trunk configured; call $ci to $rU not routed\n");
    return 1;
  }
  route(LEG_START);
  # Carriers take the caller id from P-Asserted-Identity or From; uac restores the agent's
  # From in the dialog's later requests and replies.
  remove_hf("P-Asserted-Identity");
  append_hf("P-Asserted-Identity: <sip:$avp(trunk_cid)@SIP_DOMAIN>\r\n");
  uac_replace_from("sip:$avp(trunk_cid)@SIP_DOMAIN");
  if (!route(MEDIA_OFFER)) {
    sl_send_reply("503", "Media Bridge Unavailable");
    exit;
  }
  xlog("L_INFO", "call $ci from $fU to $rU leaves through trunk $avp(trunk_out)\n");
  route(RELAY);
}

# Initial INVITE whose destination is set: bridge it when exactly one side is WebRTC.
# Returns -1 when the bridge is needed but rtpengine refused.
route[MEDIA_OFFER] {
  # X-Hotline-Media marks bridged calls for the agent's softphone (who records them): ours only.
  remove_hf("X-Hotline-Media");
#!ifdef WITH_RTPENGINE
  if (!is_method("INVITE") || !has_body("application/sdp")) {
    return 1;
  }
  if ($avp(trunk) != $null && $du =~ ";transport=wss?") {
    $avp(media_to) = "webrtc";
    if (!rtpengine_offer("ICE=force DTLS=passive SDES-off UDP/TLS/RTP/SAVPF rtcp-mux-offer generate-mid replace-origin replace-session-connection")) {
      xlog("L_ERR", "rtpengine refused the offer of $ci (trunk $avp(trunk) to WebRTC)\n");
      return -1;
    }
    append_hf("X-Hotline-Media: bridged\r\n");
  } else if ($avp(trunk_out) != $null && ($proto == "ws" || $proto == "wss")) {
    $avp(media_to) = "plain";
    if (!rtpengine_offer("ICE=remove DTLS=off SDES-off RTP/AVP rtcp-mux-demux replace-origin replace-session-connection $avp(trunk_codecs) codec-offer=telephone-event")) {
      xlog("L_ERR", "rtpengine refused the offer of $ci (WebRTC to trunk $avp(trunk_out))\n");
      return -1;
    }
  } else {
    return 1;
  }
  $sht(media=>$ci) = 1;
#!endif
  return 1;
}

# A re-INVITE/UPDATE with SDP in a bridged call (hold, resume): rewritten toward its receiver.
route[MEDIA_REOFFER] {
#!ifdef WITH_RTPENGINE
  if ($proto == "ws" || $proto == "wss") {
    $avp(media_to) = "plain";
    rtpengine_offer("ICE=remove DTLS=off SDES-off RTP/AVP rtcp-mux-demux replace-origin replace-session-connection");
  } else {
    $avp(media_to) = "webrtc";
    rtpengine_offer("ICE=force DTLS=passive SDES-off UDP/TLS/RTP/SAVPF rtcp-mux-offer generate-mid replace-origin replace-session-connection");
  }
#!endif
  return 1;
}

# A provisional or final reply with SDP to a bridged offer: the answer goes back to the offerer.
route[MEDIA_ANSWER] {
#!ifdef WITH_RTPENGINE
  if ($avp(media_to) == $null || !has_body("application/sdp") || !(status =~ "^(18[0-9]|2[0-9][0-9])$")) {
    return 1;
  }
  if ($avp(media_to) == "webrtc") {
    rtpengine_answer("ICE=remove RTP/AVP rtcp-mux-demux replace-origin replace-session-connection");
  } else {
    rtpengine_answer("ICE=force rtcp-mux-accept generate-mid replace-origin replace-session-connection");
    append_hf("X-Hotline-Media: bridged\r\n");
  }
#!endif
  return 1;
}

# BYE, CANCEL and every failure path: release the call's media session.
route[MEDIA_END] {
#!ifdef WITH_RTPENGINE
  if ($sht(media=>$ci) != $null) {
    rtpengine_delete();
    $sht(media=>$ci) = $null;
  }
#!endif
  return 1;
}
