#include "plugins/h3/h3_session.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "plugins/h3/quic/error_names.h"
#include "plugins/tls/peer_chain.h"
#include "plugins/tls/session_cache.h"

namespace strata::h3 {
namespace {

using quic::H3ErrorName;
using quic::Hex;
using quic::TransportErrorName;

constexpr size_t kDatagramBuffer = 65536;
// Packets written per Progress() before the loop gets a turn back.
constexpr int kMaxPacketsPerTurn = 256;
constexpr int kMaxDatagramsPerTurn = 512;
// A batch of packets for one send (UDP GSO): the kernel's limits, 64
// datagrams in at most one IPv4 datagram's payload.
constexpr size_t kMaxBatchPackets = 64;
constexpr size_t kMaxBatchBytes = 65507;

// ParseAddress turns "127.0.0.1:443" / "[::1]:443" into a sockaddr.
bool ParseAddress(const std::string& text, sockaddr_storage* out, socklen_t* len) {
  std::memset(out, 0, sizeof(*out));
  size_t colon = text.rfind(':');
  if (colon == std::string::npos) return false;
  std::string host = text.substr(0, colon);
  uint16_t port = 0;
  int p = 0;
  if (!absl::SimpleAtoi(text.substr(colon + 1), &p) || p < 0 || p > 65535) return false;
  port = static_cast<uint16_t>(p);
  if (host.size() >= 2 && host.front() == '[') {
    host = host.substr(1, host.size() - 2);
    auto* a6 = reinterpret_cast<sockaddr_in6*>(out);
    a6->sin6_family = AF_INET6;
    a6->sin6_port = htons(port);
    *len = sizeof(sockaddr_in6);
    return inet_pton(AF_INET6, host.c_str(), &a6->sin6_addr) == 1;
  }
  auto* a4 = reinterpret_cast<sockaddr_in*>(out);
  a4->sin_family = AF_INET;
  a4->sin_port = htons(port);
  *len = sizeof(sockaddr_in);
  return inet_pton(AF_INET, host.c_str(), &a4->sin_addr) == 1;
}

int VerifyCallback(int ok, X509_STORE_CTX* store) {
  SSL* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  quic::TlsState* state = ssl ? quic::StateOf(ssl) : nullptr;
  if (!ok && state && state->verify_error == 0) {
    state->verify_error = X509_STORE_CTX_get_error(store);
    state->verify_depth = X509_STORE_CTX_get_error_depth(store);
  }
  return ok;
}

H3Session* Self(void* user) { return static_cast<H3Session*>(user); }

// The server's transport parameters ride on the SSL_SESSION they came
// with (ex-data, freed with the session): 0-RTT must respect the limits
// the server announced when it issued the ticket (RFC 9000 §7.4.1).
void FreeParams(void* parent, void* ptr, CRYPTO_EX_DATA* ad, int index, long argl, void* argp) {
  delete static_cast<std::string*>(ptr);
}
int ParamsIndex() {
  static const int index = SSL_SESSION_get_ex_new_index(0, nullptr, nullptr, nullptr, FreeParams);
  return index;
}
const std::string* ParamsOf(const SSL_SESSION* session) {
  return static_cast<const std::string*>(SSL_SESSION_get_ex_data(session, ParamsIndex()));
}

}  // namespace

H3Session::H3Session(strata_layer_ctx* ctx, const strata_layer_config* config) : SessionLayer(ctx) {
  if (config == nullptr || config->host == nullptr || config->host[0] == '\0') {
    throw sdk::Error(STRATA_E_INVALID_ARGUMENT, "no target host given");
  }
  host_ = config->host;
  port_ = config->port;
  absl::StatusOr<H3Options> options = ParseH3Options([this](const char* key) { return FindOption(key); });
  if (!options.ok()) throw sdk::Error(STRATA_E_CONFIG, std::string(options.status().message()));
  options_ = *std::move(options);
  peer_ = tls::PeerNameFor(options_.tls.server_name ? *options_.tls.server_name : host_);
  buffer_.resize(kDatagramBuffer);
}

H3Session::~H3Session() {
  WakeAt(0);
  h3_.reset();
  if (conn_) ngtcp2_conn_del(conn_);
  tls_state_.conn = nullptr;
}

uint64_t H3Session::Now() const {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now().time_since_epoch())
                                   .count());
}

std::string H3Session::Target() const {
  if (host_.find(':') != std::string::npos) return absl::StrCat("[", host_, "]:", port_);
  return absl::StrCat(host_, ":", port_);
}

// --- connection set-up --------------------------------------------------------

strata_status H3Session::Connect(int* done) {
  *done = 0;
  switch (phase_) {
    case Phase::kDead:
      return Fail(dead_status_, dead_message_);
    case Phase::kReady:
    case Phase::kExpired:
      *done = 1;
      return STRATA_OK;
    case Phase::kLower: {
      int lower_done = 0;
      strata_status st = LowerConnect(&lower_done);
      if (st != STRATA_OK) return st;
      if (!lower_done) return STRATA_AGAIN;
      if (strata_status s = StartQuic(); s != STRATA_OK) return s;
      if (!early_params_.empty()) {
        // 0-RTT will be offered: ready before the first flight is written,
        // so the first requests (opened now) leave with the ClientHello
        // rather than race the server's answer on a fast path.
        if (strata_status s = StartEarly(); s != STRATA_OK) return s;
        *done = 1;
        return STRATA_OK;
      }
      break;
    }
    case Phase::kHandshake:
      break;
  }
  if (strata_status st = Pump(); st < 0) return st;
  if (phase_ == Phase::kReady) {
    *done = 1;
    return STRATA_OK;
  }
  return STRATA_AGAIN;
}

strata_status H3Session::StartQuic() {
  // The path ngtcp2 keys the connection to: the connected socket's ends.
  char local_text[128], remote_text[128];
  size_t local_len = sizeof(local_text), remote_len = sizeof(remote_text);
  sockaddr_storage local{}, remote{};
  socklen_t local_sa_len = 0, remote_sa_len = 0;
  if (LowerQuery(STRATA_QUERY_LOCAL_ADDRESS, local_text, &local_len) != STRATA_OK ||
      LowerQuery(STRATA_QUERY_PEER_ADDRESS, remote_text, &remote_len) != STRATA_OK ||
      !ParseAddress(local_text, &local, &local_sa_len) || !ParseAddress(remote_text, &remote, &remote_sa_len)) {
    return Die(STRATA_E_CONFIG, "the layer below has no socket addresses (h3 needs the udp layer below it)",
               nullptr);
  }
  ngtcp2_path_storage_init(&path_, reinterpret_cast<ngtcp2_sockaddr*>(&local), local_sa_len,
                           reinterpret_cast<ngtcp2_sockaddr*>(&remote), remote_sa_len, nullptr);
  if (strata_status st = StartTls(); st != STRATA_OK) return st;

  // QUIC: v1, our limits, no migration.
  ngtcp2_callbacks callbacks{};
  quic::SetCryptoCallbacks(&callbacks);
  callbacks.handshake_completed = OnHandshakeCompleted;
  callbacks.recv_stream_data = OnRecvStreamData;
  callbacks.acked_stream_data_offset = OnAckedStreamData;
  callbacks.stream_close = OnStreamClose;
  callbacks.stream_reset = OnStreamReset;
  callbacks.stream_stop_sending = OnStreamStopSending;
  callbacks.extend_max_stream_data = OnExtendMaxStreamData;
  callbacks.early_data_rejected = OnEarlyDataRejected;

  ngtcp2_settings settings;
  ngtcp2_settings_default(&settings);
  settings.initial_ts = Now();
  settings.max_tx_udp_payload_size = options_.max_udp_payload;
  settings.handshake_timeout =
      options_.handshake_timeout_ms ? options_.handshake_timeout_ms * NGTCP2_MILLISECONDS : UINT64_MAX;
  settings.max_window = options_.connection_window * 2;
  settings.max_stream_window = options_.stream_window * 2;

  ngtcp2_transport_params params;
  ngtcp2_transport_params_default(&params);
  params.initial_max_stream_data_bidi_local = options_.stream_window;
  params.initial_max_stream_data_bidi_remote = options_.stream_window;
  params.initial_max_stream_data_uni = options_.stream_window;
  params.initial_max_data = options_.connection_window;
  params.initial_max_streams_bidi = 0;  // servers open no request streams
  params.initial_max_streams_uni = 16;  // control, QPACK x2, and spares
  params.max_idle_timeout = options_.idle_timeout_ms * NGTCP2_MILLISECONDS;
  params.disable_active_migration = 1;
  params.active_connection_id_limit = 2;

  ngtcp2_cid dcid, scid;
  dcid.datalen = 18;
  scid.datalen = 16;
  RAND_bytes(dcid.data, dcid.datalen);
  RAND_bytes(scid.data, scid.datalen);
  int rv = ngtcp2_conn_client_new(&conn_, &dcid, &scid, &path_.path, NGTCP2_PROTO_VER_V1, &callbacks, &settings,
                                  &params, nullptr, this);
  if (rv != 0) return Die(STRATA_E_INTERNAL, absl::StrCat("quic: cannot create the connection: ", ngtcp2_strerror(rv)), nullptr);
  tls_state_.conn = conn_;
  tls_state_.owner = this;
  if (!quic::AttachSsl(ssl_.get(), &tls_state_)) {
    return Die(STRATA_E_INTERNAL, "quic: BoringSSL refused the QUIC method or transport parameters", nullptr);
  }
  if (!early_params_.empty()) {
    // 0-RTT is sent within the limits the server gave with the ticket.
    ngtcp2_transport_params remembered;
    if (ngtcp2_decode_transport_params(&remembered, NGTCP2_TRANSPORT_PARAMS_TYPE_ENCRYPTED_EXTENSIONS,
                                       reinterpret_cast<const uint8_t*>(early_params_.data()),
                                       early_params_.size()) == 0) {
      ngtcp2_conn_set_early_remote_transport_params(conn_, &remembered);
    } else {
      SSL_set_early_data_enabled(ssl_.get(), 0);
      early_params_.clear();
    }
  }
  handshake_started_ms_ = NowMs();
  // The idle timer runs from the start (IsReusable): a connection ready in
  // 0-RTT has received nothing yet and must still take more requests.
  last_rx_ns_ = Now();
  phase_ = Phase::kHandshake;
  const bool resuming = SSL_get_session(ssl_.get()) != nullptr;
  Log(STRATA_LOG_INFO, absl::StrCat("quic: handshake with ", Target(), " (QUIC v1, ALPN h3, SNI ",
                                    peer_.ip_literal ? "none" : peer_.name,
                                    resuming ? ", offering a cached session" : "",
                                    early_params_.empty() ? "" : ", 0-RTT", ")"));
  return STRATA_OK;
}

// StartTls makes the SSL: BoringSSL, TLS 1.3 only, ALPN h3, verification as
// the tls layer does it.
strata_status H3Session::StartTls() {
  ssl_ctx_.reset(SSL_CTX_new(TLS_method()));
  if (!ssl_ctx_) return Die(STRATA_E_NO_MEMORY, "cannot create a TLS context", nullptr);
  SSL_CTX_set_min_proto_version(ssl_ctx_.get(), TLS1_3_VERSION);
  SSL_CTX_set_max_proto_version(ssl_ctx_.get(), TLS1_3_VERSION);
  const tls::TlsOptions& t = options_.tls;
  if (t.verify) {
    const char* file = t.ca_file.empty() && t.ca_path.empty() ? tls::kSystemCaBundle
                       : t.ca_file.empty()                    ? nullptr
                                                              : t.ca_file.c_str();
    const char* path = t.ca_path.empty() ? nullptr : t.ca_path.c_str();
    if (!SSL_CTX_load_verify_locations(ssl_ctx_.get(), file, path)) {
      ERR_clear_error();
      return Die(STRATA_E_TLS_CA,
                 absl::StrCat("cannot load trusted CA certificates from ", file ? file : "", file && path ? " and " : "",
                              path ? path : "", " (set the ca_file or ca_path option to a PEM bundle)"),
                 nullptr);
    }
    SSL_CTX_set_verify(ssl_ctx_.get(), SSL_VERIFY_PEER, VerifyCallback);
  } else {
    SSL_CTX_set_verify(ssl_ctx_.get(), SSL_VERIFY_NONE, nullptr);
    Log(STRATA_LOG_WARN, absl::StrCat("certificate verification is disabled (verify: false): the connection to ",
                                      Target(), " is not authenticated"));
  }
  if (!t.cert.empty()) {
    if (!SSL_CTX_use_certificate_chain_file(ssl_ctx_.get(), t.cert.c_str()) ||
        !SSL_CTX_use_PrivateKey_file(ssl_ctx_.get(), (t.key.empty() ? t.cert : t.key).c_str(), SSL_FILETYPE_PEM)) {
      ERR_clear_error();
      return Die(STRATA_E_CONFIG, absl::StrCat("cannot load the client certificate ", t.cert), nullptr);
    }
  }
  ssl_.reset(SSL_new(ssl_ctx_.get()));
  if (!ssl_) return Die(STRATA_E_NO_MEMORY, "cannot create a TLS connection", nullptr);
  SSL_set_connect_state(ssl_.get());
  static const uint8_t kAlpn[] = {2, 'h', '3'};
  SSL_set_alpn_protos(ssl_.get(), kAlpn, sizeof(kAlpn));
  if (!peer_.ip_literal) SSL_set_tlsext_host_name(ssl_.get(), peer_.name.c_str());
  if (t.verify) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl_.get());
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
    int ok = peer_.ip_literal ? X509_VERIFY_PARAM_set1_ip_asc(param, peer_.name.c_str())
                              : X509_VERIFY_PARAM_set1_host(param, peer_.name.data(), peer_.name.size());
    if (!ok) return Die(STRATA_E_CONFIG, absl::StrCat("cannot verify against host name '", peer_.name, "'"), nullptr);
  }
  if (t.session_cache) {
    // Client-side caching only through our callback, in the process-wide
    // cache the tls layer's code provides (this plugin has its own copy).
    session_key_ = SessionKey();
    SSL_CTX_set_session_cache_mode(ssl_ctx_.get(), SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
    SSL_CTX_sess_set_new_cb(ssl_ctx_.get(), &H3Session::NewSessionCallback);
    if (bssl::UniquePtr<SSL_SESSION> session = tls::SessionCache::Global().Get(session_key_)) {
      SSL_set_session(ssl_.get(), session.get());
      const std::string* params = ParamsOf(session.get());
      if (options_.early_data && params && !params->empty() && SSL_SESSION_early_data_capable(session.get())) {
        SSL_set_early_data_enabled(ssl_.get(), 1);
        early_params_ = *params;
        // A ticket carries 0-RTT once (RFC 8446 §8, RFC 9001 §9.2): a
        // replay of it is then the server's to refuse, and a server that
        // keeps single-use tickets does not reject our early data.
        // The connection brings a fresh ticket.
        tls::SessionCache::Global().Drop(session_key_);
      }
    }
  }
  return STRATA_OK;
}

// SessionKey names everything a session depends on, as the tls layer's
// does (plugins/tls/session_cache.h): peer, verified name and the trust
// settings. "h3|" keeps it apart from any other use.
std::string H3Session::SessionKey() const {
  return absl::StrCat("h3|", absl::AsciiStrToLower(host_), "|", port_, "|", peer_.name, "|",
                      peer_.ip_literal ? "ip" : "dns", "|", tls::SettingsFingerprint(options_.tls));
}

strata_status H3Session::CheckAlpn() {
  const uint8_t* alpn = nullptr;
  unsigned alpn_len = 0;
  SSL_get0_alpn_selected(ssl_.get(), &alpn, &alpn_len);
  if (alpn_len == 2 && std::memcmp(alpn, "h3", 2) == 0) return STRATA_OK;
  ngtcp2_connection_close_error close;
  ngtcp2_connection_close_error_set_transport_error_tls_alert(&close, 120, nullptr, 0);
  return Die(STRATA_E_TLS, absl::StrCat("quic: the server at ", Target(), " did not select ALPN h3"), &close);
}

strata_status H3Session::StartH3(bool early) {
  // In 0-RTT the server has not answered yet (HandshakeDone checks then);
  // the session was made with h3, the only protocol we offer.
  if (!early) {
    if (strata_status st = CheckAlpn(); st != STRATA_OK) return st;
  }
  int64_t control = -1, encoder = -1, decoder = -1;
  if (ngtcp2_conn_open_uni_stream(conn_, &control, nullptr) != 0 ||
      ngtcp2_conn_open_uni_stream(conn_, &encoder, nullptr) != 0 ||
      ngtcp2_conn_open_uni_stream(conn_, &decoder, nullptr) != 0) {
    return Die(STRATA_E_PROTOCOL,
               "the server allows too few unidirectional streams for HTTP/3's control and QPACK streams", nullptr);
  }
  Http3Client::Transport* transport = this;
  Http3Client::Exchanges* exchanges = this;
  h3_ = std::make_unique<Http3Client>(transport, exchanges, options_.max_header_bytes, Target());
  if (absl::Status st = h3_->Start(control, encoder, decoder); !st.ok()) {
    return Die(STRATA_E_INTERNAL, std::string(st.message()), nullptr);
  }
  phase_ = Phase::kReady;
  if (early) return STRATA_OK;
  const bool resumed = SSL_session_reused(ssl_.get()) != 0;
  Log(STRATA_LOG_INFO, absl::StrCat("quic: connected to ", Target(), " in ", NowMs() - handshake_started_ms_,
                                    " ms, TLSv1.3, ALPN h3, ",
                                    resumed ? "resumed session (certificate verified when the session was made)"
                                            : absl::StrCat("certificate ", options_.tls.verify ? "verified" : "NOT verified")));
  return STRATA_OK;
}

// StartEarly: a resumed session that allows early data, early_data on, and
// the server's remembered transport parameters set. The connection is
// reported ready before the first flight: the 0-RTT key is installed while
// it is written, and HTTP/3's own streams and the idempotent requests
// opened by then go in 0-RTT with it; others wait (OpenBeforeHandshake).
strata_status H3Session::StartEarly() {
  if (strata_status st = StartH3(/*early=*/true); st != STRATA_OK) return st;
  early_ = Early::kSending;
  Log(STRATA_LOG_INFO, absl::StrCat("quic: 0-RTT to ", Target(),
                                    " with a resumed session: ready now, idempotent requests go early"));
  return STRATA_OK;
}

strata_status H3Session::HandshakeDone() {
  if (early_ == Early::kNone) return StartH3(/*early=*/false);
  const bool rejected = early_ == Early::kRejected;
  // BoringSSL may still decline to offer the session (expired): then the
  // requests simply went in 1-RTT, on streams ngtcp2 kept.
  const bool offered = rejected || tls_state_.early_keys;
  // early_ stays until HTTP/3 is up: a failure here (Die) still owes the
  // held requests their error.
  if (rejected) {
    // ngtcp2 forgot every stream and OnEarlyDataRejected dropped HTTP/3.
    if (strata_status st = StartH3(/*early=*/false); st != STRATA_OK) return st;
  } else {
    if (strata_status st = CheckAlpn(); st != STRATA_OK) return st;
    Log(STRATA_LOG_INFO, absl::StrCat("quic: connected to ", Target(), " in ", NowMs() - handshake_started_ms_,
                                      " ms, TLSv1.3, ALPN h3, ",
                                      SSL_session_reused(ssl_.get()) ? "resumed session" : "full handshake"));
  }
  early_ = Early::kNone;
  early_outcome_ = rejected ? "0-RTT rejected" : offered ? "0-RTT accepted" : "0-RTT not offered";
  // In stream ID order, so each gets the ID its host was given.
  for (const EarlyRequests::Request* r : early_requests_.ToSubmit(rejected)) {
    int64_t id = -1;
    const int rv = ngtcp2_conn_open_bidi_stream(conn_, &id, nullptr);
    if (rv != 0 || id != r->id) {
      if (rv == 0) ngtcp2_conn_shutdown_stream(conn_, id, NGHTTP3_H3_REQUEST_CANCELLED);
      if (!r->cancelled) {
        DeliverError(r->user, STRATA_E_STATE,
                     absl::StrCat("cannot send the request held for the handshake on stream ", r->id, ": ",
                                  rv != 0 ? ngtcp2_strerror(rv) : "the stream IDs moved"));
      }
      continue;
    }
    if (r->cancelled) {
      ngtcp2_conn_shutdown_stream(conn_, id, NGHTTP3_H3_REQUEST_CANCELLED);
      continue;
    }
    const strata_request_head head = r->head.head();
    if (absl::Status st = h3_->Submit(id, head, r->user); !st.ok()) {
      ngtcp2_conn_shutdown_stream(conn_, id, NGHTTP3_H3_INTERNAL_ERROR);
      DeliverError(r->user, STRATA_E_INVALID_ARGUMENT, std::string(st.message()));
    }
  }
  Log(STRATA_LOG_INFO, offered ? early_requests_.Summary(rejected)
                               : "0-RTT: not offered (BoringSSL did not resume the session); requests went after the handshake");
  early_requests_.Clear();
  return STRATA_OK;
}

// --- the I/O pump ---------------------------------------------------------------

strata_status H3Session::Pump() {
  if (phase_ == Phase::kDead) return Fail(dead_status_, dead_message_);
  if (phase_ == Phase::kExpired) return STRATA_OK;
  if (strata_status st = ReadDatagrams(); st < 0) return st;
  if (strata_status st = HandleExpiry(); st < 0) return st;
  if (phase_ == Phase::kReady && h3_) h3_->ResumeBodies();
  if (strata_status st = WritePackets(); st < 0) return st;
  ScheduleTimer();
  last_pump_ns_ = Now();
  return STRATA_OK;
}

strata_status H3Session::ReadDatagrams() {
  // Datagrams that waited in the socket while nobody polled the connection
  // (a pooled connection between two blocking fetches) arrived some time
  // after the last pump, not now: giving ngtcp2 "now" would restart its
  // idle timer for a connection the server may already have dropped.
  uint64_t ts = Now();
  if (last_pump_ns_ != 0 && ts - last_pump_ns_ >= NGTCP2_SECONDS) ts = last_pump_ns_;
  for (int i = 0; i < kMaxDatagramsPerTurn; ++i) {
    size_t n = 0;
    strata_status st = LowerRecv(buffer_.data(), buffer_.size(), &n);
    if (st == STRATA_AGAIN) return STRATA_OK;
    if (st < 0) {
      return Die(st, phase_ == Phase::kHandshake
                         ? absl::StrCat("quic: no handshake with ", Target(), ": the datagram socket failed")
                         : absl::StrCat("quic: the datagram socket to ", Target(), " failed"),
                 nullptr);
    }
    if (n == 0) continue;
    ngtcp2_pkt_info pi{};
    in_read_ = true;
    last_rx_ns_ = ts;
    int rv = ngtcp2_conn_read_pkt(conn_, &path_.path, &pi, buffer_.data(), n, ts);
    in_read_ = false;
    if (close_deferred_) {
      close_deferred_ = false;
      SendConnectionClose(deferred_close_);
    }
    if (rv != 0) return QuicError(rv, "reading a packet");
    if (phase_ == Phase::kDead) return Fail(dead_status_, dead_message_);
  }
  return STRATA_OK;
}

strata_status H3Session::HandleExpiry() {
  const uint64_t now = Now();
  if (ngtcp2_conn_get_expiry(conn_) > now) return STRATA_OK;
  int rv = ngtcp2_conn_handle_expiry(conn_, now);
  if (rv != 0) return QuicError(rv, "running timers");
  return STRATA_OK;
}

bool H3Session::BatchNext(size_t segment) {
  if (!gso_) return false;
  strata_send_segments arg{sizeof(arg), segment};
  if (LowerControl(STRATA_CONTROL_SEND_SEGMENTS, &arg, sizeof(arg)) == STRATA_OK) return true;
  // The layer below (or its plugin's ABI) has no batches: never ask again.
  gso_ = false;
  Log(STRATA_LOG_INFO, "quic: the layer below takes one datagram per send (no GSO batches)");
  return false;
}

strata_status H3Session::SendPacket(const uint8_t* data, size_t len, size_t segment, size_t* out_sent) {
  *out_sent = 0;
  while (*out_sent < len) {
    const size_t rest = len - *out_sent;
    const size_t take = rest > segment && BatchNext(segment) ? rest : std::min(rest, segment);
    size_t written = 0;
    strata_status st = LowerSend(data + *out_sent, take, &written);
    if (st == STRATA_AGAIN) return STRATA_AGAIN;
    if (st < 0) {
      return Die(st, phase_ == Phase::kHandshake
                         ? absl::StrCat("quic: no handshake with ", Target(), ": the datagram socket failed")
                         : absl::StrCat("quic: the datagram socket to ", Target(), " failed"),
                 nullptr);
    }
    *out_sent += written;
  }
  return STRATA_OK;
}

strata_status H3Session::SendOrKeep(const uint8_t* data, size_t len, size_t segment) {
  size_t sent = 0;
  strata_status st = SendPacket(data, len, segment, &sent);
  if (st == STRATA_AGAIN) pending_.push_back({std::string(reinterpret_cast<const char*>(data) + sent, len - sent), segment});
  return st;
}

strata_status H3Session::FlushPending() {
  while (!pending_.empty()) {
    PendingBatch& front = pending_.front();
    size_t sent = 0;
    strata_status st = SendPacket(reinterpret_cast<const uint8_t*>(front.bytes.data()), front.bytes.size(),
                                  front.segment, &sent);
    if (st == STRATA_AGAIN) front.bytes.erase(0, sent);
    if (st != STRATA_OK) return st;
    pending_.pop_front();
  }
  return STRATA_OK;
}

strata_status H3Session::WritePackets() {
  if (strata_status st = FlushPending(); st != STRATA_OK) return st == STRATA_AGAIN ? STRATA_OK : st;
  const size_t max_size = std::min<size_t>(kDatagramBuffer, ngtcp2_conn_get_max_tx_udp_payload_size(conn_));
  const size_t max_packets = gso_ ? std::clamp<size_t>(kMaxBatchBytes / max_size, 1, kMaxBatchPackets) : 1;
  if (send_buffer_.size() < max_packets * max_size) send_buffer_.resize(max_packets * max_size);
  // The batch: |count| packets of |segment| bytes at the start of
  // send_buffer_, the last possibly shorter (then the batch is closed).
  size_t used = 0;
  size_t segment = 0;
  size_t count = 0;
  bool drained = false;  // ngtcp2 has nothing more to write now
  for (int i = 0; i < kMaxPacketsPerTurn && !drained; ++i) {
    uint8_t* packet = send_buffer_.data() + used;
    int64_t stream_id = -1;
    int fin = 0;
    nghttp3_vec vec[16];
    int count_vec = 0;
    if (h3_ && phase_ == Phase::kReady) {
      count_vec = h3_->NextData(&stream_id, &fin, vec, 16);
      if (count_vec < 0) {
        ngtcp2_connection_close_error close;
        ngtcp2_connection_close_error_set_application_error(&close, Http3Client::ErrorCode(count_vec), nullptr, 0);
        return Die(STRATA_E_PROTOCOL, absl::StrCat("cannot write HTTP/3: ", nghttp3_strerror(count_vec)), &close);
      }
    }
    uint32_t flags = NGTCP2_WRITE_STREAM_FLAG_MORE;
    if (fin) flags |= NGTCP2_WRITE_STREAM_FLAG_FIN;
    ngtcp2_ssize accepted = -1;
    ngtcp2_pkt_info pi{};
    ngtcp2_ssize n = ngtcp2_conn_writev_stream(conn_, &path_.path, &pi, packet, max_size, &accepted, flags,
                                               stream_id, reinterpret_cast<const ngtcp2_vec*>(vec),
                                               static_cast<size_t>(count_vec), Now());
    if (n < 0) {
      switch (n) {
        case NGTCP2_ERR_STREAM_DATA_BLOCKED:
          h3_->Blocked(stream_id);
          continue;
        case NGTCP2_ERR_STREAM_SHUT_WR:
          h3_->WriteShut(stream_id);
          continue;
        case NGTCP2_ERR_WRITE_MORE:
          h3_->Written(stream_id, static_cast<size_t>(accepted));
          continue;
        default:
          return QuicError(static_cast<int>(n), "writing a packet");
      }
    }
    if (accepted >= 0 && stream_id >= 0) h3_->Written(stream_id, static_cast<size_t>(accepted));
    if (n == 0) {
      drained = true;
      break;
    }
    const size_t len = static_cast<size_t>(n);
    if (count > 0 && len > segment) {
      // Only a batch's last packet may be shorter: a longer one starts the
      // next batch.
      strata_status st = SendOrKeep(send_buffer_.data(), used, segment);
      if (st == STRATA_AGAIN) {
        pending_.push_back({std::string(reinterpret_cast<const char*>(packet), len), len});
        return STRATA_OK;
      }
      if (st < 0) return st;
      std::memmove(send_buffer_.data(), packet, len);
      used = 0;
      count = 0;
    }
    if (count == 0) segment = len;
    used += len;
    ++count;
    if (len < segment || count == max_packets) {
      strata_status st = SendOrKeep(send_buffer_.data(), used, segment);
      used = 0;
      count = 0;
      if (st == STRATA_AGAIN) return STRATA_OK;
      if (st < 0) return st;
    }
  }
  if (count > 0) {
    strata_status st = SendOrKeep(send_buffer_.data(), used, segment);
    if (st == STRATA_AGAIN) return STRATA_OK;
    if (st < 0) return st;
  }
  // More to write: come back at once rather than wait for a timer.
  if (!drained) WakeAt(NowMs());
  return STRATA_OK;
}

void H3Session::ScheduleTimer() {
  if (!conn_ || phase_ == Phase::kDead) return;
  const uint64_t expiry = ngtcp2_conn_get_expiry(conn_);
  if (expiry == UINT64_MAX) return;
  const uint64_t now = Now();
  const uint64_t in_ms = expiry > now ? (expiry - now + 999999) / 1000000 : 0;
  WakeAt(NowMs() + in_ms);
}

// --- errors ----------------------------------------------------------------------

std::string H3Session::PeerCloseMessage(strata_status* out_status) {
  ngtcp2_connection_close_error close;
  ngtcp2_conn_get_connection_close_error(conn_, &close);
  std::string reason(reinterpret_cast<const char*>(close.reason), close.reasonlen);
  std::string why = reason.empty() ? "" : absl::StrCat(": \"", absl::CEscape(reason), "\"");
  if (close.type == NGTCP2_CONNECTION_CLOSE_ERROR_CODE_TYPE_APPLICATION) {
    *out_status = close.error_code == NGHTTP3_H3_NO_ERROR ? STRATA_E_CLOSED : STRATA_E_PROTOCOL;
    return absl::StrCat("", H3ErrorName(close.error_code), " (", Hex(close.error_code), ") from peer ", Target(),
                        why);
  }
  if (close.error_code >= 0x100 && close.error_code <= 0x1ff) {
    *out_status = STRATA_E_TLS;
    return absl::StrCat("quic: CRYPTO_ERROR ", Hex(close.error_code), " from peer ", Target(), " (TLS alert ",
                        quic::AlertName(static_cast<uint8_t>(close.error_code - 0x100)), ")", why);
  }
  *out_status = close.error_code == NGTCP2_NO_ERROR ? STRATA_E_CLOSED : STRATA_E_PROTOCOL;
  return absl::StrCat("quic: connection closed by peer ", Target(), ": ", TransportErrorName(close.error_code), " (",
                      Hex(close.error_code), ")", why);
}

std::string H3Session::HandshakeFailure(strata_status* out_status) {
  const uint8_t alert = tls_state_.alert_set ? tls_state_.alert : 80;
  const std::string sent = absl::StrCat("sent CRYPTO_ERROR ", Hex(0x100 + alert), " (TLS alert ", quic::AlertName(alert), ")");
  if (tls_state_.verify_error != 0) {
    if (!session_key_.empty()) tls::SessionCache::Global().Drop(session_key_);
    *out_status = STRATA_E_TLS_VERIFY;
    std::string how = tls_state_.verify_error == X509_V_ERR_HOSTNAME_MISMATCH
                          ? absl::StrCat("host name mismatch: the certificate is not for ", peer_.name)
                          : X509_verify_cert_error_string(tls_state_.verify_error);
    return absl::StrCat("quic: certificate verify failed: ", how, " (host ", Target(),
                        tls_state_.verify_depth > 0 ? absl::StrCat(", certificate ", tls_state_.verify_depth, " of the chain") : "",
                        "; check ca_file/ca_path, or set verify: false to skip verification); ", sent);
  }
  *out_status = STRATA_E_TLS;
  return absl::StrCat("quic: TLS handshake with ", Target(), " failed: ",
                      tls_state_.error.empty() ? std::string("unknown reason") : tls_state_.error, "; ", sent);
}

strata_status H3Session::QuicError(int rv, const char* doing) {
  strata_status status = STRATA_E_PROTOCOL;
  std::string message;
  ngtcp2_connection_close_error close;
  ngtcp2_connection_close_error_default(&close);
  bool send_close = true;
  switch (rv) {
    case NGTCP2_ERR_DRAINING:
    case NGTCP2_ERR_CLOSING:
      message = PeerCloseMessage(&status);
      send_close = false;
      break;
    case NGTCP2_ERR_IDLE_CLOSE:
      if (phase_ == Phase::kReady && h3_ && h3_->Open() == 0) {
        // An idle pooled connection reaching its idle timeout is no
        // failure: it takes no more requests, and the pool drops it
        // (IsReusable), so nobody hears an error.
        phase_ = Phase::kExpired;
        WakeAt(0);
        Log(STRATA_LOG_INFO, absl::StrCat("quic: idle connection to ", Target(), " reached its idle timeout"));
        return STRATA_OK;
      }
      status = STRATA_E_TIMEOUT;
      message = absl::StrCat("quic: connection to ", Target(), " idle for ", options_.idle_timeout_ms,
                             " ms (idle_timeout_ms): closed");
      send_close = false;
      break;
    case NGTCP2_ERR_HANDSHAKE_TIMEOUT:
      status = STRATA_E_TIMEOUT;
      message = absl::StrCat("quic: no handshake with ", Target(), " after ", options_.handshake_timeout_ms,
                             " ms (handshake_timeout_ms): no QUIC server answered on that UDP port");
      send_close = false;
      break;
    case NGTCP2_ERR_CRYPTO:
      message = HandshakeFailure(&status);
      ngtcp2_connection_close_error_set_transport_error_tls_alert(&close, tls_state_.alert_set ? tls_state_.alert : 80,
                                                                  nullptr, 0);
      break;
    case NGTCP2_ERR_DROP_CONN:
      status = STRATA_E_PROTOCOL;
      message = absl::StrCat("quic: connection to ", Target(), " dropped (stateless reset or unusable packet)");
      send_close = false;
      break;
    default:
      if (h3_error_ != 0) {
        const uint64_t code = Http3Client::ErrorCode(h3_error_);
        message = absl::StrCat("", H3ErrorName(code), " (", Hex(code), ") in data from peer ", Target(), ": ",
                               nghttp3_strerror(h3_error_));
        ngtcp2_connection_close_error_set_application_error(&close, code, nullptr, 0);
      } else if (!tls_state_.error.empty() && phase_ == Phase::kHandshake) {
        message = HandshakeFailure(&status);
        ngtcp2_connection_close_error_set_transport_error_liberr(&close, rv, nullptr, 0);
      } else {
        const uint64_t code = ngtcp2_err_infer_quic_transport_error_code(rv);
        message = absl::StrCat("quic: ", TransportErrorName(code), " (", Hex(code), ") ", doing, " from ", Target(),
                               ": ", ngtcp2_strerror(rv));
        ngtcp2_connection_close_error_set_transport_error_liberr(&close, rv, nullptr, 0);
      }
      break;
  }
  return Die(status, message, send_close ? &close : nullptr);
}

void H3Session::SendConnectionClose(const ngtcp2_connection_close_error& close) {
  if (!conn_ || ngtcp2_conn_is_in_closing_period(conn_) || ngtcp2_conn_is_in_draining_period(conn_)) return;
  uint8_t packet[1500];
  ngtcp2_pkt_info pi{};
  ngtcp2_ssize n = ngtcp2_conn_write_connection_close(conn_, &path_.path, &pi, packet, sizeof(packet), &close, Now());
  if (n > 0) {
    size_t written = 0;
    LowerSend(packet, static_cast<size_t>(n), &written);  // best effort: the connection is over either way
  }
}

strata_status H3Session::Die(strata_status status, const std::string& message,
                             const ngtcp2_connection_close_error* close) {
  if (phase_ == Phase::kDead) return Fail(dead_status_, dead_message_);
  if (close && in_read_) {
    deferred_close_ = *close;
    close_deferred_ = true;
  } else if (close) {
    SendConnectionClose(*close);
  }
  phase_ = Phase::kDead;
  dead_status_ = status;
  dead_message_ = message;
  WakeAt(0);
  Log(STRATA_LOG_INFO, message);
  if (h3_) h3_->FailAll(status, message);
  // Requests opened in 0-RTT that HTTP/3 does not hold (held for the
  // handshake, or forgotten by a rejection) hear it here.
  if (early_ != Early::kNone) {
    for (const EarlyRequests::Request* r : early_requests_.ToSubmit(early_ == Early::kRejected)) {
      if (!r->cancelled && r->user) DeliverError(r->user, status, message);
    }
    early_requests_.Clear();
    early_ = Early::kNone;
  }
  return Fail(status, message);
}

// --- the session ABI ------------------------------------------------------------

uint32_t H3Session::Capacity() {
  // The runtime picks pooled connections by capacity: one about to reach
  // its idle timeout (IsReusable) takes no new request.
  if (!IsReusable()) return 0;
  const size_t open = h3_->Open() + early_requests_.held();
  const uint64_t ours = options_.max_concurrent_streams > open ? options_.max_concurrent_streams - open : 0;
  return static_cast<uint32_t>(std::min<uint64_t>(ours, ngtcp2_conn_get_streams_bidi_left(conn_)));
}

strata_status H3Session::OpenStream(const strata_request_head* head, void* user, uint32_t* out_id) {
  if (phase_ == Phase::kDead) return Fail(dead_status_, dead_message_);
  if (phase_ == Phase::kExpired) return Fail(STRATA_E_CLOSED, "the connection reached its idle timeout");
  if (phase_ != Phase::kReady) return Fail(STRATA_E_STATE, "open_stream before the connection is ready");
  if (head->flags & STRATA_REQUEST_TUNNEL) {
    return Fail(STRATA_E_UNSUPPORTED, "CONNECT tunnels over HTTP/3 are not supported");
  }
  if (early_ != Early::kNone) return OpenBeforeHandshake(*head, user, out_id);
  if (h3_->goaway()) return Fail(STRATA_E_STATE, "the server is shutting the connection down (GOAWAY)");
  int64_t id = -1;
  int rv = ngtcp2_conn_open_bidi_stream(conn_, &id, nullptr);
  if (rv != 0) {
    return Fail(STRATA_E_STATE, absl::StrCat("cannot open a stream: ", ngtcp2_strerror(rv),
                                             " (the server's MAX_STREAMS is used up)"));
  }
  if (absl::Status st = h3_->Submit(id, *head, user); !st.ok()) {
    ngtcp2_conn_shutdown_stream(conn_, id, NGHTTP3_H3_INTERNAL_ERROR);
    return Fail(STRATA_E_INVALID_ARGUMENT, std::string(st.message()));
  }
  *out_id = static_cast<uint32_t>(id);
  Log(STRATA_LOG_DEBUG, absl::StrCat("stream ", id, ": ", head->method, " ", head->path));
  return STRATA_OK;
}

// OpenBeforeHandshake: in 0-RTT, an idempotent request is sent at once;
// any other (and any after it) waits for HandshakeDone. Either way the
// host gets the stream ID the request will have.
strata_status H3Session::OpenBeforeHandshake(const strata_request_head& head, void* user, uint32_t* out_id) {
  EarlyRequests::Route route =
      early_ == Early::kSending ? early_requests_.Decide(head) : EarlyRequests::Route::kHold;
  const int64_t id = early_requests_.NextId();
  if (route == EarlyRequests::Route::kEarly) {
    int64_t got = -1;
    if (ngtcp2_conn_open_bidi_stream(conn_, &got, nullptr) != 0) {
      route = EarlyRequests::Route::kHold;  // the remembered MAX_STREAMS is used up
    } else if (got != id) {
      ngtcp2_conn_shutdown_stream(conn_, got, NGHTTP3_H3_REQUEST_CANCELLED);
      return Fail(STRATA_E_INTERNAL, absl::StrCat("0-RTT stream IDs out of step: ", got, " for ", id));
    } else if (absl::Status st = h3_->Submit(id, head, user); !st.ok()) {
      ngtcp2_conn_shutdown_stream(conn_, id, NGHTTP3_H3_INTERNAL_ERROR);
      early_requests_.Add(head, nullptr, route);  // the ID is taken
      early_requests_.Cancel(id);
      return Fail(STRATA_E_INVALID_ARGUMENT, std::string(st.message()));
    }
  }
  early_requests_.Add(head, user, route);
  *out_id = static_cast<uint32_t>(id);
  // Out now, before anything is read: the server's answer would end 0-RTT.
  if (route == EarlyRequests::Route::kEarly) WritePackets();
  Log(STRATA_LOG_DEBUG, absl::StrCat("stream ", id, ": ", head.method, " ", head.path,
                                     route == EarlyRequests::Route::kEarly ? " (0-RTT)" : " (held for the handshake)"));
  return STRATA_OK;
}

strata_status H3Session::CancelStream(uint32_t id) {
  if (phase_ != Phase::kReady) return STRATA_OK;
  if (early_ != Early::kNone && early_requests_.Has(id)) {
    early_requests_.Cancel(id);
    if (h3_ && early_ == Early::kSending) h3_->Cancel(id);  // sent early: reset it
    return STRATA_OK;
  }
  if (!h3_) return STRATA_OK;
  h3_->Cancel(id);
  WritePackets();
  return STRATA_OK;
}

strata_status H3Session::Progress() {
  if (phase_ == Phase::kDead) return Fail(dead_status_, dead_message_);
  if (phase_ == Phase::kExpired) return STRATA_OK;
  if (phase_ != Phase::kReady) {
    int done = 0;
    strata_status st = Connect(&done);
    return st < 0 ? st : STRATA_OK;
  }
  strata_status st = Pump();
  return st < 0 ? st : STRATA_OK;
}

uint32_t H3Session::PollInterest() {
  if (phase_ == Phase::kLower) return LowerPollInterest(STRATA_POLL_READ | STRATA_POLL_WRITE);
  if (phase_ == Phase::kDead || phase_ == Phase::kExpired) return 0;
  return STRATA_POLL_READ | (pending_.empty() ? 0 : STRATA_POLL_WRITE);
}

bool H3Session::IsReusable() {
  if (phase_ != Phase::kReady || !h3_ || h3_->goaway()) return false;
  // A pooled connection is not polled: its idle timer may have run out
  // unseen. The idle timeout is the smaller of the two announced (RFC 9000
  // §10.1); within a second of it a new request would race the close.
  uint64_t idle = options_.idle_timeout_ms * NGTCP2_MILLISECONDS;
  const ngtcp2_transport_params* remote = ngtcp2_conn_get_remote_transport_params(conn_);
  if (remote && remote->max_idle_timeout && (idle == 0 || remote->max_idle_timeout < idle)) {
    idle = remote->max_idle_timeout;
  }
  return idle == 0 || Now() + NGTCP2_SECONDS < last_rx_ns_ + idle;
}

strata_status H3Session::Query(uint32_t q, void* out, size_t* len) {
  switch (q) {
    case STRATA_QUERY_DESCRIBE: {
      std::string text = "h3(QUIC v1, TLSv1.3";
      if (ssl_ && SSL_session_reused(ssl_.get())) text += ", resumed";
      if (!early_outcome_.empty()) absl::StrAppend(&text, ", ", early_outcome_);
      if (!options_.tls.verify) text += ", unverified";
      return AnswerText(text + ")", out, len);
    }
    case STRATA_QUERY_HTTP_VERSION:
      return AnswerInt(30, out, len);
    case STRATA_QUERY_ALPN:
      return AnswerText(phase_ == Phase::kReady ? "h3" : "", out, len);
    case STRATA_QUERY_TLS_VERSION:
      return AnswerText("TLSv1.3", out, len);
    case STRATA_QUERY_TLS_RESUMED:
      if (!ssl_) return Fail(STRATA_E_STATE, "no TLS before the handshake");
      // In 0-RTT the offered session is in use (a rejection would end it).
      return AnswerInt(SSL_session_reused(ssl_.get()) || early_ == Early::kSending ? 1 : 0, out, len);
    case STRATA_QUERY_TLS_VERIFY_RESULT:
      if (!ssl_) return Fail(STRATA_E_STATE, "no TLS before the handshake");
      return AnswerInt(static_cast<int>(SSL_get_verify_result(ssl_.get())), out, len);
    case STRATA_QUERY_TLS_PEER_CHAIN: {
      // For policies' handshake checks (pinning), as the tls layer answers.
      if (!ssl_) return Fail(STRATA_E_STATE, "no TLS before the handshake");
      return tls::AnswerPeerChain(ssl_.get(), out, len);
    }
    default:
      return LowerQuery(q, out, len);
  }
}

strata_status H3Session::Control(uint32_t c, const void* arg, size_t len) {
  if (c == STRATA_CONTROL_IDLE) return STRATA_OK;
  return LowerControl(c, arg, len);
}

strata_status H3Session::Shutdown(int* done) {
  *done = 1;
  if (phase_ == Phase::kReady || phase_ == Phase::kHandshake) {
    ngtcp2_connection_close_error close;
    ngtcp2_connection_close_error_set_application_error(&close, NGHTTP3_H3_NO_ERROR, nullptr, 0);
    SendConnectionClose(close);
    phase_ = Phase::kDead;
    dead_status_ = STRATA_E_CLOSED;
    dead_message_ = "the connection was shut down";
    WakeAt(0);
  }
  return STRATA_OK;
}

// --- Http3Client's transport and exchanges ----------------------------------------

void H3Session::Consumed(int64_t id, uint64_t bytes) {
  ngtcp2_conn_extend_max_stream_offset(conn_, id, bytes);
  ngtcp2_conn_extend_max_offset(conn_, bytes);
}
void H3Session::ResetStream(int64_t id, uint64_t code) { ngtcp2_conn_shutdown_stream(conn_, id, code); }
void H3Session::StopReading(int64_t id, uint64_t code) { ngtcp2_conn_shutdown_stream_read(conn_, id, code); }
void H3Session::StopWriting(int64_t id, uint64_t code) { ngtcp2_conn_shutdown_stream_write(conn_, id, code); }

strata_status H3Session::ReadBody(void* user, uint8_t* buf, size_t cap, size_t* out_read, int* out_eos) {
  return SessionLayer::ReadBody(user, buf, cap, out_read, out_eos);
}
strata_status H3Session::Head(void* user, const strata_response_head& head) { return DeliverHead(user, &head); }
strata_status H3Session::Data(void* user, const uint8_t* data, size_t len) { return DeliverData(user, data, len); }
void H3Session::End(void* user, const strata_header* trailers, size_t count) { DeliverEnd(user, trailers, count); }
void H3Session::Error(void* user, strata_status status, const std::string& message) {
  DeliverError(user, status, message);
}

// --- ngtcp2 callbacks -------------------------------------------------------------

// HTTP/3 starts inside the packet that completes the handshake: the
// server's control and QPACK streams may share that packet.
int H3Session::OnHandshakeCompleted(ngtcp2_conn*, void* user) {
  return Self(user)->HandshakeDone() == STRATA_OK ? 0 : NGTCP2_ERR_CALLBACK_FAILURE;
}

int H3Session::OnRecvStreamData(ngtcp2_conn*, uint32_t flags, int64_t id, uint64_t, const uint8_t* data,
                                size_t len, void* user, void*) {
  H3Session* self = Self(user);
  if (!self->h3_) return NGTCP2_ERR_CALLBACK_FAILURE;  // never before the handshake
  int rv = self->h3_->Received(id, data, len, (flags & NGTCP2_STREAM_DATA_FLAG_FIN) != 0);
  if (rv != 0) {
    self->h3_error_ = rv;
    return NGTCP2_ERR_CALLBACK_FAILURE;
  }
  return 0;
}

int H3Session::OnAckedStreamData(ngtcp2_conn*, int64_t id, uint64_t, uint64_t len, void* user, void*) {
  H3Session* self = Self(user);
  if (self->h3_ && self->h3_->Acked(id, len) != 0) return NGTCP2_ERR_CALLBACK_FAILURE;
  return 0;
}

int H3Session::OnStreamClose(ngtcp2_conn*, uint32_t flags, int64_t id, uint64_t code, void* user, void*) {
  H3Session* self = Self(user);
  if (!(flags & NGTCP2_STREAM_CLOSE_FLAG_APP_ERROR_CODE_SET)) code = NGHTTP3_H3_NO_ERROR;
  if (!self->h3_) return 0;
  if (int rv = self->h3_->Closed(id, code); rv != 0) {
    self->h3_error_ = rv;
    return NGTCP2_ERR_CALLBACK_FAILURE;
  }
  return 0;
}

int H3Session::OnStreamReset(ngtcp2_conn*, int64_t id, uint64_t, uint64_t, void* user, void*) {
  if (Self(user)->h3_) Self(user)->h3_->ReadShut(id);
  return 0;
}

int H3Session::OnStreamStopSending(ngtcp2_conn*, int64_t id, uint64_t, void* user, void*) {
  if (Self(user)->h3_) Self(user)->h3_->ReadShut(id);
  return 0;
}

int H3Session::OnExtendMaxStreamData(ngtcp2_conn*, int64_t id, uint64_t, void* user, void*) {
  if (Self(user)->h3_) Self(user)->h3_->Unblock(id);
  return 0;
}

// The server refused our 0-RTT: ngtcp2 has forgotten every stream, so
// HTTP/3 starts again after the handshake and the requests are sent again
// (HandshakeDone). Nothing was delivered for them, so nothing repeats.
int H3Session::OnEarlyDataRejected(ngtcp2_conn*, void* user) {
  H3Session* self = Self(user);
  if (self->early_ == Early::kSending) {
    self->h3_.reset();
    self->early_ = Early::kRejected;
  }
  return 0;
}

int H3Session::NewSessionCallback(SSL* ssl, SSL_SESSION* session) {
  quic::TlsState* state = quic::StateOf(ssl);
  auto* self = state ? static_cast<H3Session*>(state->owner) : nullptr;
  if (!self || !self->options_.tls.session_cache || self->session_key_.empty()) return 0;
  const uint8_t* params = nullptr;
  size_t params_len = 0;
  SSL_get_peer_quic_transport_params(ssl, &params, &params_len);
  if (params_len > 0) {
    SSL_SESSION_set_ex_data(session, ParamsIndex(),
                            new std::string(reinterpret_cast<const char*>(params), params_len));
  }
  // Returning 1 hands our reference to the cache.
  tls::SessionCache::Global().Put(self->session_key_, bssl::UniquePtr<SSL_SESSION>(session));
  return 1;
}

}  // namespace strata::h3
