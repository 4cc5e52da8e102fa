#!/usr/bin/env python3
# The OpenAPI 3.1 document of the REST API, hand-written as Python data; writes
# Sources/GatewayHTTP/Resources/openapi.json and admin-openapi.json (package resources).
# Run after editing: python3 scripts/openapi/generate.py
import json
codes = ["unauthorized","invalid_api_key","account_disabled","malformed_json","empty_body","unsupported_media_type","body_too_large",
 "missing_field","invalid_field","unknown_field","invalid_number","invalid_sender","sender_not_allowed","encoding_not_possible",
 "message_too_long","not_found","route_not_found","method_not_allowed","not_cancellable","idempotency_key_reused",
 "idempotency_request_in_progress","invalid_idempotency_key","rate_limited","throughput_exceeded","queue_full","internal_error",
 "batch_too_large","batch_rejected","cannot_revoke_own_key","webhook_host_not_allowed","webhook_address_not_allowed","storage_unavailable","insufficient_balance","address_not_allowed","dlt_missing_entity_id","dlt_missing_template_id","dlt_malformed_id","dlt_unknown_entity","dlt_header_not_registered","dlt_unknown_template","dlt_template_of_another_entity","dlt_header_not_linked","dlt_body_mismatch","dlt_outside_hours","invalid_query_parameter","http_error"]
S = lambda t: {"type": t}
N = lambda t: {"type": [t, "null"]}
ts = {"type": "string", "format": "date-time"}
tsn = {"type": ["string", "null"], "format": "date-time"}
statuses = ["queued","sent","delivered","expired","deleted","undelivered","accepted","unknown","rejected","failed"]
def problem_ref(): return {"$ref": "#/components/responses/Problem"}
rate_headers = {
  "RateLimit-Limit": {"$ref": "#/components/headers/RateLimit-Limit"},
  "RateLimit-Remaining": {"$ref": "#/components/headers/RateLimit-Remaining"},
  "RateLimit-Reset": {"$ref": "#/components/headers/RateLimit-Reset"},
}
def ok(schema, status_desc="OK", headers=None):
    r = {"description": status_desc, "content": {"application/json": {"schema": schema}}}
    h = dict(rate_headers)
    if headers: h.update(headers)
    r["headers"] = h
    return r
def errors(*codes_):
    return {str(c): problem_ref() for c in codes_}
common = (401, 403, 429, 500)
send_props = {
  "to": {"type": "string", "description": "Recipient in E.164 (`+447700900123`); `00…` and bare international digits are accepted, spaces/dashes ignored.", "examples": ["+447700900123"]},
  "from": {"type": "string", "description": "Sender: a phone number (E.164), a short code (3–8 digits) or an alphanumeric id of 1–11 characters.", "examples": ["Shortwave"]},
  "body": {"type": "string", "minLength": 1, "description": "The text. Long texts are split into concatenated segments (at most 16) and keep one id and one status."},
  "encoding": {"type": "string", "enum": ["auto", "gsm7", "ucs2"], "default": "auto", "description": "`auto` picks GSM-7 when every character fits, else UCS-2."},
  "callback_url": {"type": "string", "format": "uri", "description": "Status webhooks for this message go here (else to the account's webhook_url)."},
  "validity_period": {"type": "integer", "minimum": 1, "maximum": 604800, "description": "Seconds the message may wait for delivery (default 48 h)."},
  "schedule_at": {"type": "string", "format": "date-time", "description": "RFC 3339 time to send at (at most 7 days ahead)."},
  "client_ref": {"type": "string", "maxLength": 128, "description": "Your own reference; listed and filterable."},
  "dlt": {"$ref": "#/components/schemas/DLT"},
}
doc = {
 "openapi": "3.1.0",
 "info": {"title": "Shortwave SMS gateway — REST API", "version": "2.0.0",
   "description": "Send SMS over HTTP with the same accounts, message ids, statuses and delivery reports as SMPP. Authenticate with `Authorization: Bearer <api key>`. Errors are RFC 9457 problem documents with a stable `code`.\n\nWebhooks: status changes (`message.status`) and inbound messages (`message.inbound`) are POSTed as JSON with the header `Shortwave-Signature: t=<unix seconds>,v1=<hex>`, where v1 = HMAC-SHA256(account webhook_secret, `<t>.<raw body>`). Verify by recomputing over the raw body, comparing in constant time, and rejecting a `t` older than 5 minutes. Webhooks go only to public addresses: a URL naming a loopback, private, link-local, multicast or reserved address is refused with 422 `webhook_address_not_allowed` (an operator can allow ranges with `http.webhookAllowedNetworks`), a host name is checked on the address it resolves to each time, and redirects are not followed. Answer 2xx; anything else is retried with exponential backoff (5 s doubling to 1 h) for 72 hours, across restarts.\n\nIdempotency: send `Idempotency-Key` on a POST; the first answer is replayed (with `Idempotent-Replayed: true`) to the same key for 24 hours; the same key with a different request gets 422 `idempotency_key_reused`."},
 "servers": [{"url": "/"}],
 "security": [{"bearer": []}],
 "paths": {
  "/v2/messages": {
   "post": {"operationId": "sendMessage", "summary": "Send one message",
     "parameters": [{"$ref": "#/components/parameters/IdempotencyKey"}],
     "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SendRequest"}}}},
     "responses": {"202": ok({"$ref": "#/components/schemas/Message"}, "Stored; it will be sent", {"Location": {"schema": S("string")}}), **errors(400, 402, *common, 409, 413, 415, 422, 503)}},
   "get": {"operationId": "listMessages", "summary": "List messages, newest first",
     "parameters": [
       {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 100}},
       {"name": "cursor", "in": "query", "schema": {"type": "string"}, "description": "next_cursor of the previous page"},
       {"name": "status", "in": "query", "schema": {"type": "string", "enum": statuses}},
       {"name": "since", "in": "query", "schema": ts},
       {"name": "until", "in": "query", "schema": ts},
       {"name": "recipient", "in": "query", "schema": {"type": "string"}},
       {"name": "client_ref", "in": "query", "schema": {"type": "string"}}],
     "responses": {"200": ok({"$ref": "#/components/schemas/MessageList"}), **errors(400, *common)}}},
  "/v2/messages/batch": {
   "post": {"operationId": "sendBatch", "summary": "Send up to 10,000 messages; each is answered on its own and the valid ones are stored in one commit",
     "parameters": [{"$ref": "#/components/parameters/IdempotencyKey"}],
     "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BatchRequest"}}}},
     "responses": {"202": ok({"$ref": "#/components/schemas/BatchResponse"}, "At least one message stored"), **errors(400, 402, *common, 409, 413, 415, 422, 503)}}},
  "/v2/messages/{id}": {
   "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
   "get": {"operationId": "getMessage", "summary": "A message and its status (SMPP or HTTP, same id)",
     "responses": {"200": ok({"$ref": "#/components/schemas/Message"}), **errors(404, *common)}},
   "delete": {"operationId": "cancelMessage", "summary": "Cancel a message not yet sent",
     "responses": {"200": ok({"$ref": "#/components/schemas/Message"}, "Cancelled (status deleted)"), **errors(404, 409, *common)}}},
  "/v2/lookup/{number}": {
   "parameters": [{"name": "number", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^\\+?[1-9][0-9]{6,14}$"}, "description": "E.164 (spaces, dashes and dots are accepted too)"},
                  {"name": "text", "in": "query", "schema": {"type": "string"}, "description": "A text to count segments for"}],
   "get": {"operationId": "lookupNumber", "summary": "Validate and normalise a number; segments and encoding for a text",
     "responses": {"200": ok({"$ref": "#/components/schemas/Lookup"}), **errors(422, *common)}}},
  "/v2/account": {
   "get": {"operationId": "getAccount", "summary": "The calling account", "responses": {"200": ok({"$ref": "#/components/schemas/Account"}), **errors(*common)}},
   "patch": {"operationId": "updateAccount", "summary": "Set the webhook URLs",
     "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/AccountUpdate"}}}},
     "responses": {"200": ok({"$ref": "#/components/schemas/Account"}), **errors(400, *common, 413, 415, 422)}}},
  "/v2/keys": {
   "get": {"operationId": "listKeys", "summary": "The account's API keys (never their secrets)", "responses": {"200": ok({"$ref": "#/components/schemas/KeyList"}), **errors(*common)}},
   "post": {"operationId": "createKey", "summary": "A new API key, shown once",
     "requestBody": {"required": False, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": False, "properties": {"label": {"type": "string", "maxLength": 100}}}}}},
     "responses": {"201": ok({"$ref": "#/components/schemas/NewKey"}, "Created"), **errors(400, *common, 413, 415, 422)}}},
  "/v2/keys/{id}": {
   "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
   "delete": {"operationId": "revokeKey", "summary": "Revoke a key", "responses": {"204": {"description": "Revoked", "headers": rate_headers}, **errors(404, 409, *common)}}},
  "/v2/openapi.json": {"get": {"operationId": "openapi", "security": [], "summary": "This document", "responses": {"200": {"description": "OpenAPI 3.1", "content": {"application/json": {"schema": S("object")}}}}}},
  "/health/live": {"get": {"operationId": "live", "security": [], "summary": "Liveness", "responses": {"200": {"description": "The process serves requests", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}}}}},
  "/health/ready": {"get": {"operationId": "ready", "security": [], "summary": "Readiness: the store answers and messages are accepted",
     "responses": {"200": {"description": "Ready", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}},
                   "503": {"description": "Not ready", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}}}}},
 },
 "components": {
  "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "sw_<12 characters>_<32 characters>"}},
  "parameters": {"IdempotencyKey": {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string", "minLength": 1, "maxLength": 255}}},
  "headers": {
    "RateLimit-Limit": {"schema": S("integer"), "description": "Requests per second this key may make"},
    "RateLimit-Remaining": {"schema": S("integer")},
    "RateLimit-Reset": {"schema": S("integer"), "description": "Seconds until the allowance is full again"}},
  "responses": {"Problem": {"description": "A problem (RFC 9457)", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}},
  "schemas": {
   "Problem": {"type": "object", "required": ["type", "title", "status", "code", "detail"], "properties": {
      "type": S("string"), "title": S("string"), "status": S("integer"), "code": {"type": "string", "enum": codes},
      "detail": S("string"), "instance": S("string"), "field": S("string"),
      "errors": {"type": "array", "items": {"type": "object", "required": ["index", "code", "detail"], "properties": {"index": S("integer"), "code": S("string"), "detail": S("string"), "field": S("string")}}}}},
   "DLT": {"type": "object", "additionalProperties": False, "required": ["entity_id", "template_id"], "description": "India DLT ids (sent as TLVs 0x1400 / 0x1401)",
      "properties": {"entity_id": {"type": "string", "pattern": "^[0-9]{1,30}$"}, "template_id": {"type": "string", "pattern": "^[0-9]{1,30}$"}}},
   "SendRequest": {"type": "object", "additionalProperties": False, "required": ["to", "from", "body"], "properties": send_props,
      "examples": [{"to": "+447700900123", "from": "Shortwave", "body": "Your code is 123456"}, {"to": "+4915112345678", "from": "+447700900555", "body": "Grüße 👋", "client_ref": "order-7", "validity_period": 3600}]},
   "BatchMessage": {"type": "object", "additionalProperties": False, "properties": send_props, "description": "A message of a batch; fields left out are taken from the top level of the batch"},
   "BatchRequest": {"type": "object", "additionalProperties": False,
      "examples": [{"from": "Shortwave", "body": "Hello all", "to": ["+447700900123", "+4915112345678"]}, {"from": "Shortwave", "body": "Default text", "messages": [{"to": "+447700900123"}, {"to": "+33612345678", "body": "Bonjour"}]}], "description": "Either `messages` (each may leave out fields given at the top level), or one message at the top level with `to` a list of recipients — or both.",
      "properties": {**{k: v for k, v in send_props.items() if k != "to"},
                     "to": {"type": "array", "items": S("string"), "maxItems": 10000},
                     "messages": {"type": "array", "items": {"$ref": "#/components/schemas/BatchMessage"}, "maxItems": 10000}}},
   "BatchResponse": {"type": "object", "required": ["accepted", "rejected", "results"], "properties": {
      "accepted": S("integer"), "rejected": S("integer"),
      "results": {"type": "array", "items": {"type": "object", "required": ["index"], "properties": {
         "index": S("integer"), "id": S("string"), "status": {"type": "string", "enum": statuses}, "segments": S("integer"),
         "error": {"type": "object", "required": ["code", "detail", "field"], "properties": {"code": S("string"), "detail": S("string"), "field": N("string")}}}}}}},
   "Message": {"type": "object", "required": ["id", "status", "to", "from", "body", "encoding", "segments", "price", "ingress", "error_code", "client_ref", "callback_url", "created_at", "scheduled_at", "expires_at", "done_at"],
      "properties": {"id": {"type": "string", "pattern": "^[0-9a-f]{16}$"}, "status": {"type": "string", "enum": statuses},
        "to": S("string"), "from": S("string"), "body": N("string"),
        "encoding": {"type": "string", "enum": ["gsm7", "ucs2", "latin1", "ascii", "binary"]}, "segments": S("integer"),
        "price": {"type": "integer", "description": "segments × the account's rate, minor units of its currency"},
        "ingress": {"type": "string", "enum": ["http", "smpp"]}, "error_code": N("integer"), "client_ref": N("string"), "callback_url": N("string"),
        "dlt": {"type": "object", "properties": {"entity_id": S("string"), "template_id": N("string")}},
        "created_at": ts, "scheduled_at": tsn, "expires_at": tsn, "done_at": tsn}},
   "MessageList": {"type": "object", "required": ["data", "next_cursor"], "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}}, "next_cursor": N("string")}},
   "Lookup": {"type": "object", "required": ["input", "valid", "e164", "calling_code", "country", "national_number"], "properties": {
      "input": S("string"), "valid": S("boolean"), "e164": S("string"), "calling_code": S("string"), "country": N("string"), "national_number": S("string"),
      "text": {"type": "object", "required": ["encoding", "characters", "units", "segments"], "properties": {"encoding": {"type": "string", "enum": ["gsm7", "ucs2"]}, "characters": S("integer"), "units": S("integer"), "segments": S("integer")}}}},
   "Account": {"type": "object", "required": ["id", "system_id", "senders", "numbers", "requests_per_second", "messages_per_second", "webhook_url", "mo_webhook_url", "webhook_secret", "billing", "currency", "balance"], "properties": {
      "billing": {"type": "string", "enum": ["prepaid", "postpaid"]}, "currency": S("string"), "balance": {"type": "integer", "description": "minor units; below zero for postpaid usage"},
      "id": S("string"), "system_id": S("string"), "senders": {"type": "array", "items": S("string")}, "numbers": {"type": "array", "items": S("string")},
      "requests_per_second": N("integer"), "messages_per_second": N("integer"), "webhook_url": N("string"), "mo_webhook_url": N("string"), "webhook_secret": S("string")}},
   "AccountUpdate": {"type": "object", "additionalProperties": False, "properties": {"webhook_url": {"type": ["string", "null"], "format": "uri"}, "mo_webhook_url": {"type": ["string", "null"], "format": "uri"}}},
   "Key": {"type": "object", "required": ["id", "label", "created_at", "revoked_at"], "properties": {"id": S("string"), "label": S("string"), "created_at": ts, "revoked_at": tsn}},
   "NewKey": {"type": "object", "required": ["id", "key", "label", "created_at", "revoked_at"], "properties": {"id": S("string"), "key": S("string"), "label": S("string"), "created_at": ts, "revoked_at": tsn}},
   "KeyList": {"type": "object", "required": ["data"], "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/Key"}}}},
   "Health": {"type": "object", "required": ["status"], "properties": {"status": S("string")}},
  }}}

codes += ["invalid_admin_token", "account_exists", "invalid_connector_config", "connector_exists", "connector_in_config", "connector_in_use", "change_not_stored"]
doc["components"]["schemas"]["Problem"]["properties"]["code"]["enum"] = codes
admin_errors = lambda *c: {str(x): problem_ref() for x in c}
plain = lambda schema, desc="OK": {"description": desc, "content": {"application/json": {"schema": schema}}}
connector_info = {"type": "object", "required": ["name", "kind", "address", "tls", "state", "binds_up", "binds", "accepted", "awaiting_receipts"],
    "properties": {"name": S("string"), "kind": {"type": "string", "enum": ["smpp", "simulator"]}, "address": S("string"), "tls": S("boolean"),
        "state": {"type": "string", "enum": ["binding", "up", "throttled", "down"]}, "binds_up": S("integer"), "binds": S("integer"),
        "accepted": S("integer"), "awaiting_receipts": S("integer")}}
connector_config = {"type": "object", "required": ["name"], "additionalProperties": False, "properties": {
    "name": S("string"), "kind": N("string"), "host": N("string"), "port": N("integer"), "tls": N("boolean"), "tlsCAFile": N("string"),
    "tlsServerName": N("string"), "systemID": N("string"), "password": N("string"), "systemType": N("string"), "bindType": N("string"),
    "binds": N("integer"), "receiverBinds": N("integer"), "window": N("integer"), "messagesPerSecond": N("number"),
    "enquireLinkSeconds": N("integer"), "responseTimeoutSeconds": N("integer"), "reconnectInitialMilliseconds": N("integer"),
    "reconnectMaximumMilliseconds": N("integer"), "idForm": N("string"),
    "rewrite": {"type": ["object", "null"], "additionalProperties": False, "properties": {k: N("integer") for k in ["sourceTON", "sourceNPI", "destinationTON", "destinationNPI"]} | {"destinationStripPrefix": N("string"), "destinationAddPrefix": N("string")}},
    "supports": {"type": ["object", "null"], "additionalProperties": False, "properties": {"udh": N("boolean"), "sar": N("boolean"), "messagePayload": N("boolean"), "maximumParts": N("integer")}},
    "telemarketerIDs": {"type": ["array", "null"], "items": S("string")}}}
route_table = {"type": "object", "required": ["routes"], "additionalProperties": False, "properties": {"routes": {"type": "array", "items": {
    "type": "object", "required": ["connectors"], "additionalProperties": False, "properties": {
        "destinationPrefixes": {"type": ["array", "null"], "items": S("string")}, "destinationPattern": N("string"), "sender": N("string"),
        "account": N("string"), "connectors": {"type": "array", "items": S("string")}, "weights": {"type": ["array", "null"], "items": S("integer")}}}}}}
id_param = {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
bind_kinds = {"type": "array", "items": {"type": "string", "enum": ["transmitter", "receiver", "transceiver"]}, "minItems": 1}
strings = {"type": "array", "items": {"type": "string"}}
billing = {"type": "object", "additionalProperties": False, "properties": {
    "mode": {"type": "string", "enum": ["prepaid", "postpaid"]}, "currency": {"type": "string", "pattern": "^[A-Z]{3}$"},
    "default_rate": {"type": "integer", "minimum": 0}, "rates": {"type": "object", "additionalProperties": {"type": "integer", "minimum": 0}}}}
settings = {
    "enabled": S("boolean"), "system_id": {"type": "string", "minLength": 1, "maxLength": 15}, "allowed_binds": bind_kinds,
    "max_binds": {"type": "integer", "minimum": 1, "maximum": 1000}, "window": {"type": "integer", "minimum": 1, "maximum": 10000},
    "messages_per_second": {"type": ["integer", "null"], "minimum": 1}, "requests_per_second": {"type": ["integer", "null"], "minimum": 1},
    "senders": strings, "numbers": strings, "allowed_ips": strings, "webhook_url": {"type": ["string", "null"], "format": "uri"},
    "mo_webhook_url": {"type": ["string", "null"], "format": "uri"}, "reports": {"type": "string", "enum": ["smpp", "webhook", "both"]},
    "billing": billing}
account = {"type": "object", "required": ["id", "system_id", "enabled", "allowed_binds", "max_binds", "binds", "window", "messages_per_second",
    "requests_per_second", "senders", "numbers", "allowed_ips", "webhook_url", "mo_webhook_url", "webhook_secret", "reports", "billing", "balance", "created_at"],
    "properties": {"id": S("string"), "system_id": S("string"), "enabled": S("boolean"), "allowed_binds": strings, "max_binds": S("integer"),
        "binds": S("integer"), "window": S("integer"), "messages_per_second": N("integer"), "requests_per_second": N("integer"),
        "senders": strings, "numbers": strings, "allowed_ips": strings, "webhook_url": N("string"), "mo_webhook_url": N("string"),
        "webhook_secret": S("string"), "reports": S("string"), "billing": S("object"), "balance": S("integer"), "created_at": ts}}
key = doc["components"]["schemas"]["Key"]
new_key = doc["components"]["schemas"]["NewKey"]
dlt = {"type": "object", "additionalProperties": False, "properties": {
    "entities": strings,
    "headers": {"type": "array", "items": {"type": "object", "additionalProperties": False, "required": ["header", "entity_id"],
        "properties": {"header": S("string"), "entity_id": S("string"), "category": {"type": "string", "enum": ["transactional", "service_implicit", "service_explicit", "promotional"]}}}},
    "templates": {"type": "array", "items": {"type": "object", "additionalProperties": False, "required": ["id", "entity_id", "text", "category"],
        "properties": {"id": S("string"), "entity_id": S("string"), "text": S("string"), "headers": strings,
            "category": {"type": "string", "enum": ["transactional", "service_implicit", "service_explicit", "promotional"]}}}}}}
adminDoc = {
 "openapi": "3.1.0",
 "info": {"title": "Shortwave SMS gateway — admin API", "version": "1.0.0",
   "description": "The operator's API: accounts, credentials, limits, billing, DLT registrations, API keys and live binds. `Authorization: Bearer <admin token>` (printed once by `shortwave serve` on first run, or SHORTWAVE_ADMIN_TOKEN). Changes apply at once, one at a time."},
 "servers": [{"url": "/"}],
 "security": [{"bearer": []}],
 "paths": {
  "/admin/v1/accounts": {
    "get": {"operationId": "listAccounts", "responses": {"200": plain({"type": "object", "required": ["data"], "properties": {"data": {"type": "array", "items": account}}}), **admin_errors(401)}},
    "post": {"operationId": "createAccount", "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object", "required": ["system_id"],
        "additionalProperties": False, "properties": {**settings, "id": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}, "password": {"type": "string", "minLength": 1, "maxLength": 8}, "api_key": S("boolean")}}}}},
        "responses": {"201": plain({"type": "object", "required": ["account", "password"], "properties": {"account": account, "password": S("string"), "api_key": S("string")}}, "Created"),
            **admin_errors(400, 401, 403, 409, 413, 415, 422)}}},
  "/admin/v1/accounts/{id}": {"parameters": [id_param],
    "get": {"operationId": "getAccountAdmin", "responses": {"200": plain(account), **admin_errors(401, 404)}},
    "patch": {"operationId": "updateAccountAdmin", "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": False, "properties": settings}}}},
        "responses": {"200": plain(account), **admin_errors(400, 401, 403, 404, 409, 413, 415, 422)}},
    "delete": {"operationId": "deleteAccount", "responses": {"204": {"description": "Deleted"}, **admin_errors(401, 404)}}},
  "/admin/v1/accounts/{id}/password": {"parameters": [id_param],
    "post": {"operationId": "setPassword", "requestBody": {"required": False, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": False, "properties": {"password": {"type": "string", "minLength": 1, "maxLength": 8}}}}}},
        "responses": {"200": plain({"type": "object", "required": ["password"], "properties": {"password": S("string")}}), **admin_errors(400, 401, 404, 413, 422)}}},
  "/admin/v1/accounts/{id}/webhook-secret": {"parameters": [id_param],
    "post": {"operationId": "rotateWebhookSecret", "responses": {"200": plain({"type": "object", "required": ["webhook_secret"], "properties": {"webhook_secret": S("string")}}), **admin_errors(401, 404)}}},
  "/admin/v1/accounts/{id}/keys": {"parameters": [id_param],
    "get": {"operationId": "listAccountKeys", "responses": {"200": plain({"type": "object", "required": ["data"], "properties": {"data": {"type": "array", "items": key}}}), **admin_errors(401, 404)}},
    "post": {"operationId": "createAccountKey", "requestBody": {"required": False, "content": {"application/json": {"schema": {"type": "object", "additionalProperties": False, "properties": {"label": {"type": "string", "maxLength": 100}}}}}},
        "responses": {"201": plain(new_key, "Created"), **admin_errors(400, 401, 404, 413, 422)}}},
  "/admin/v1/accounts/{id}/keys/{key}": {"parameters": [id_param, {"name": "key", "in": "path", "required": True, "schema": S("string")}],
    "delete": {"operationId": "revokeAccountKey", "responses": {"204": {"description": "Revoked"}, **admin_errors(401, 404)}}},
  "/admin/v1/accounts/{id}/balance": {"parameters": [id_param],
    "post": {"operationId": "adjustBalance", "requestBody": {"required": True, "content": {"application/json": {"schema": {"type": "object", "required": ["amount"], "additionalProperties": False, "properties": {"amount": S("integer")}}}}},
        "responses": {"200": plain({"type": "object", "required": ["balance", "currency"], "properties": {"balance": S("integer"), "currency": S("string")}}), **admin_errors(400, 401, 404, 413, 415, 422)}}},
  "/admin/v1/accounts/{id}/dlt": {"parameters": [id_param],
    "get": {"operationId": "getDLT", "responses": {"200": plain(dlt), **admin_errors(401, 404)}},
    "put": {"operationId": "setDLT", "requestBody": {"required": True, "content": {"application/json": {"schema": dlt}}},
        "responses": {"200": plain(dlt), **admin_errors(400, 401, 404, 413, 422)}}},
  "/admin/v1/binds": {
    "get": {"operationId": "listBinds", "parameters": [{"name": "account", "in": "query", "schema": S("string")}],
        "responses": {"200": plain({"type": "object", "required": ["data"], "properties": {"data": {"type": "array", "items": {"type": "object",
            "required": ["id", "account_id", "system_id", "type", "peer", "tls", "since", "window", "window_in_use", "submitted", "messages_per_second"],
            "properties": {"id": S("string"), "account_id": S("string"), "system_id": S("string"), "type": S("string"), "peer": N("string"), "tls": S("boolean"),
                "since": ts, "window": S("integer"), "window_in_use": S("integer"), "submitted": S("integer"), "messages_per_second": S("integer")}}}}}), **admin_errors(401)}}},
  "/admin/v1/binds/{id}": {"parameters": [id_param],
    "delete": {"operationId": "unbind", "responses": {"204": {"description": "Unbound"}, **admin_errors(401, 404)}}},
  "/admin/v1/connectors": {
    "get": {"operationId": "listConnectors", "description": "The upstream carrier connectors (config `connectors`, `--upstream`, and those added here) and their state: binding, up, throttled or down.",
        "responses": {"200": plain({"type": "object", "required": ["data"], "properties": {"data": {"type": "array", "items": connector_info}}}), **admin_errors(401)}},
    "post": {"operationId": "addConnector", "description": "Adds and starts a connector (the config file's form); kept in the store across restarts. Messages reach it once a route names it (PUT /admin/v1/routes).",
        "requestBody": {"required": True, "content": {"application/json": {"schema": connector_config}}},
        "responses": {"201": plain(connector_info, "Created"), **admin_errors(400, 401, 409, 413, 415, 422, 503)}}},
  "/admin/v1/connectors/{name}": {"parameters": [{"name": "name", "in": "path", "required": True, "schema": S("string")}],
    "delete": {"operationId": "removeConnector", "description": "Stops and removes a connector added at run time; one from the config file, or one a route names, is refused (409).",
        "responses": {"204": {"description": "Removed"}, **admin_errors(401, 404, 409, 503)}}},
  "/admin/v1/routes": {
    "get": {"operationId": "getRoutes", "responses": {"200": plain(route_table), **admin_errors(401)}},
    "put": {"operationId": "setRoutes", "description": "Replaces the route table (first match wins); kept in the store across restarts.",
        "requestBody": {"required": True, "content": {"application/json": {"schema": route_table}}},
        "responses": {"200": plain(route_table), **admin_errors(400, 401, 413, 415, 422, 503)}}},
  "/admin/v1/openapi.json": {"get": {"operationId": "adminOpenAPI", "responses": {"200": plain(S("object")), **admin_errors(401)}}},
 },
 "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}, "responses": doc["components"]["responses"],
    "schemas": {"Problem": doc["components"]["schemas"]["Problem"]}},
}
import os
resources = os.path.join(os.path.dirname(__file__), '../../Sources/GatewayHTTP/Resources')
for name, document in [('openapi.json', doc), ('admin-openapi.json', adminDoc)]:
    with open(os.path.join(resources, name), 'w') as out:
        out.write(json.dumps(document, indent=1, ensure_ascii=False) + '\n')
