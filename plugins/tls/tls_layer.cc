#include "plugins/tls/tls_layer.h"

#include <arpa/inet.h>
#include <dlfcn.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <mutex>

#include <openssl/err.h>
#include <openssl/pool.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "plugins/tls/context_cache.h"
#include "plugins/tls/peer_chain.h"
#include "plugins/tls/session_cache.h"

namespace strata::tls {
namespace {

// Bytes handed to one SSL_write: four full records, so the ciphertext
// buffer stays small however much the caller offers.
constexpr size_t kMaxPlaintextPerSend = 4 * 16384;
// Send() accepts nothing new while this much ciphertext waits below.
constexpr size_t kOutHighWater = 64 * 1024;

int SslIndex() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// WrongLibrary returns why BoringSSL cannot be used, or "": BoringSSL's
// symbols are unversioned and carry OpenSSL's names, so in a process that
// already has the system libssl in its global scope our SSL_* calls bind
// there unless the plugin was loaded with its own dependencies first
// (runtime/plugin/registry.cc uses RTLD_DEEPBIND). Mixing the two libraries
// crashes, so refuse clearly instead. SSL_CTX_set_custom_verify exists only
// in BoringSSL, so it always binds to the right object.
std::string WrongLibrary() {
  static const std::string reason = [] {
    Dl_info ours{}, probe{};
    if (!dladdr(reinterpret_cast<void*>(&SSL_CTX_set_custom_verify), &ours) ||
        !dladdr(reinterpret_cast<void*>(&SSL_CTX_new), &probe) || !ours.dli_fname ||
        !probe.dli_fname) {
      return std::string();
    }
    if (ours.dli_fbase == probe.dli_fbase) return std::string();
    return absl::StrCat("the tls plugin's SSL_* calls bind to ", probe.dli_fname, " instead of BoringSSL (",
                        ours.dli_fname,
                        "): this process already links another OpenSSL and the plugin was not loaded "
                        "with RTLD_DEEPBIND (sanitizer builds cannot use it)");
  }();
  return reason;
}

// ErrorText turns BoringSSL's reason code into words: "TLSV1_ALERT_
// PROTOCOL_VERSION" reads as "tlsv1 alert protocol version".
std::string ErrorText(uint32_t packed) {
  const char* reason = ERR_reason_error_string(packed);
  if (!reason) return absl::StrCat("error ", packed);
  return absl::AsciiStrToLower(absl::StrReplaceAll(reason, {{"_", " "}}));
}

std::vector<std::string> CertificateNames(X509* cert) {
  std::vector<std::string> names;
  if (!cert) return names;
  GENERAL_NAMES* sans =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (!sans) return names;
  for (size_t i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
    const GENERAL_NAME* gen = sk_GENERAL_NAME_value(sans, i);
    if (gen->type == GEN_DNS) {
      const ASN1_IA5STRING* s = gen->d.dNSName;
      names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                         static_cast<size_t>(ASN1_STRING_length(s)));
    } else if (gen->type == GEN_IPADD) {
      const ASN1_OCTET_STRING* s = gen->d.iPAddress;
      char text[INET6_ADDRSTRLEN] = "?";
      int len = ASN1_STRING_length(s);
      if (len == 4 || len == 16) {
        inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(s), text, sizeof(text));
      }
      names.push_back(absl::StrCat("IP:", text));
    }
  }
  GENERAL_NAMES_free(sans);
  return names;
}

}  // namespace

TlsLayer::TlsLayer(strata_layer_ctx* ctx, const strata_layer_config* config)
    : ByteStreamLayer(ctx) {
  if (config == nullptr || config->host == nullptr || config->host[0] == '\0') {
    throw sdk::Error(STRATA_E_INVALID_ARGUMENT, "tls: no target host given");
  }
  if (std::string wrong = WrongLibrary(); !wrong.empty()) throw sdk::Error(STRATA_E_TLS, wrong);
  host_ = config->host;
  port_ = config->port;
  absl::StatusOr<TlsOptions> options =
      ParseTlsOptions([this](const char* key) { return FindOption(key); });
  if (!options.ok()) throw sdk::Error(STRATA_E_CONFIG, std::string(options.status().message()));
  options_ = *std::move(options);
  peer_ = PeerNameFor(options_.server_name ? *options_.server_name : host_);
}

TlsLayer::~TlsLayer() {
  // The SSL goes first: it owns the BIO, whose data points at us.
  ssl_.reset();
  ssl_ctx_.reset();
}

std::string TlsLayer::Target() const {
  if (host_.find(':') != std::string::npos) return absl::StrCat("[", host_, "]:", port_);
  return absl::StrCat(host_, ":", port_);
}

// ---------------------------------------------------------------------------
// Connection setup

strata_status TlsLayer::Connect(int* done) {
  *done = 0;
  switch (phase_) {
    case Phase::kOpen:
      *done = 1;
      return STRATA_OK;
    case Phase::kFailed:
      return Fail(failed_status_, failed_message_);
    case Phase::kLowerConnecting: {
      int lower_done = 0;
      strata_status st = LowerConnect(&lower_done);
      if (st < 0) {
        // The layer below has recorded its own error; remember it so a
        // later Connect() repeats it rather than retrying.
        phase_ = Phase::kFailed;
        failed_status_ = st;
        failed_message_ = "the connection below the TLS layer failed";
        return st;
      }
      if (st == STRATA_AGAIN || !lower_done) return STRATA_AGAIN;
      if (strata_status s = Setup(); s != STRATA_OK) return s;
      phase_ = Phase::kHandshaking;
      break;
    }
    case Phase::kHandshaking:
      break;
  }
  return StepHandshake(done);
}

strata_status TlsLayer::Setup() {
  // Another TLS layer below answers the version query; tcp does not.
  char version[32];
  size_t version_len = sizeof(version);
  over_tls_ = LowerQuery(STRATA_QUERY_TLS_VERSION, version, &version_len) == STRATA_OK;
  session_key_ = SessionKey();

  static BIO_METHOD* method = [] {
    BIO_METHOD* m = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "strata lower layer");
    BIO_meth_set_read(m, &TlsLayer::BioRead);
    BIO_meth_set_write(m, &TlsLayer::BioWrite);
    BIO_meth_set_ctrl(m, &TlsLayer::BioCtrl);
    return m;
  }();
  if (!method) return FailSetup(STRATA_E_NO_MEMORY, "out of memory creating the TLS BIO method");
  // One context per distinct setting, shared by connections and runtimes
  // (context_cache.h); its failures are reported here, per connection.
  strata_status build_status = STRATA_OK;
  std::string build_error;
  auto build = [&]() -> bssl::UniquePtr<SSL_CTX> {
    auto fail = [&](strata_status st, std::string message) -> bssl::UniquePtr<SSL_CTX> {
      build_status = st;
      build_error = std::move(message);
      return nullptr;
    };
    ERR_clear_error();
    bssl::UniquePtr<SSL_CTX> owned(SSL_CTX_new(TLS_method()));
    if (!owned) return fail(STRATA_E_NO_MEMORY, "out of memory creating the TLS context");
    SSL_CTX* c = owned.get();
    auto version_of = [](TlsVersion v) -> uint16_t {
      return v == TlsVersion::k1_2 ? TLS1_2_VERSION : TLS1_3_VERSION;
    };
    SSL_CTX_set_min_proto_version(c, version_of(options_.min_version));
    SSL_CTX_set_max_proto_version(c, version_of(options_.max_version));
    if (!options_.ciphers.empty()) {
      std::string list = absl::StrJoin(options_.ciphers, ":");
      if (!SSL_CTX_set_strict_cipher_list(c, list.c_str())) {
        return fail(STRATA_E_CONFIG, absl::StrCat("option 'ciphers': BoringSSL rejects \"", list,
                                                       "\" (", ErrorText(ERR_peek_error()),
                                                       "); use names such as ECDHE-RSA-AES128-GCM-SHA256"));
      }
    }
    if (!options_.curves.empty()) {
      std::string list = absl::StrJoin(options_.curves, ":");
      if (!SSL_CTX_set1_curves_list(c, list.c_str())) {
        return fail(STRATA_E_CONFIG, absl::StrCat("option 'curves': BoringSSL rejects \"", list,
                                                       "\"; use names such as X25519, P-256, P-384"));
      }
    }
    if (options_.verify) {
      const char* file = options_.ca_file.empty() ? nullptr : options_.ca_file.c_str();
      const char* path = options_.ca_path.empty() ? nullptr : options_.ca_path.c_str();
      if (!SSL_CTX_load_verify_locations(c, file, path)) {
        return fail(STRATA_E_TLS_CA,
                         absl::StrCat("cannot load trusted CA certificates from ",
                                      file ? absl::StrCat("ca_file ", file) : "",
                                      file && path ? " and " : "",
                                      path ? absl::StrCat("ca_path ", path) : "", ": ",
                                      ErrorText(ERR_peek_error()),
                                      " (set the ca_file or ca_path option to a PEM bundle)"));
      }
      SSL_CTX_set_verify(c, SSL_VERIFY_PEER, &TlsLayer::VerifyCallback);
    } else {
      SSL_CTX_set_verify(c, SSL_VERIFY_NONE, nullptr);
    }
    if (!options_.cert.empty()) {
      const std::string& key = options_.key.empty() ? options_.cert : options_.key;
      if (!SSL_CTX_use_certificate_chain_file(c, options_.cert.c_str())) {
        return fail(STRATA_E_CONFIG, absl::StrCat("cannot load client certificate (option cert) from ",
                                                       options_.cert, ": ", ErrorText(ERR_peek_error())));
      }
      if (!SSL_CTX_use_PrivateKey_file(c, key.c_str(), SSL_FILETYPE_PEM)) {
        return fail(STRATA_E_CONFIG, absl::StrCat("cannot load client key (option key) from ", key,
                                                       ": ", ErrorText(ERR_peek_error())));
      }
      if (!SSL_CTX_check_private_key(c)) {
        return fail(STRATA_E_CONFIG, absl::StrCat("client key ", key, " does not match certificate ",
                                                       options_.cert));
      }
    }
    SSL_CTX_set_cert_cb(c, &TlsLayer::CertCallback, nullptr);
    // Client-side caching only through our callback: BoringSSL's internal
    // cache is for servers.
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL);
    SSL_CTX_sess_set_new_cb(c, &TlsLayer::NewSessionCallback);
    return owned;
  };
  ssl_ctx_ = ContextCache::Global().Get(ContextKey(options_), build, &context_shared_);
  if (!ssl_ctx_) {
    return FailSetup(build_status == STRATA_OK ? STRATA_E_NO_MEMORY : build_status,
                     build_error.empty() ? "cannot create the TLS context" : build_error);
  }
  SSL_CTX* c = ssl_ctx_.get();
  if (!options_.verify) {
    Log(STRATA_LOG_WARN,
        absl::StrCat("certificate verification is disabled (verify: false): the connection to ",
                     Target(), " is encrypted, but anyone on the path can impersonate the server"));
  }

  ssl_.reset(SSL_new(c));
  BIO* bio = BIO_new(method);
  if (!ssl_ || !bio) {
    BIO_free(bio);
    return FailSetup(STRATA_E_NO_MEMORY, "out of memory creating the TLS connection");
  }
  BIO_set_data(bio, this);
  BIO_set_init(bio, 1);
  SSL_set_bio(ssl_.get(), bio, bio);  // the SSL owns the one reference
  SSL_set_ex_data(ssl_.get(), SslIndex(), this);
  SSL_set_connect_state(ssl_.get());

  if (!peer_.ip_literal && !SSL_set_tlsext_host_name(ssl_.get(), peer_.name.c_str())) {
    return FailSetup(STRATA_E_CONFIG, absl::StrCat("cannot use '", peer_.name, "' as the TLS server name"));
  }
  if (options_.verify) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl_.get());
    // Never fall back to the subject CN (RFC 9110 §4.3.4 uses SANs only).
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
    int ok = peer_.ip_literal ? X509_VERIFY_PARAM_set1_ip_asc(param, peer_.name.c_str())
                              : X509_VERIFY_PARAM_set1_host(param, peer_.name.data(), peer_.name.size());
    if (!ok) {
      return FailSetup(STRATA_E_CONFIG, absl::StrCat("cannot verify against host name '", peer_.name, "'"));
    }
  }
  if (!options_.alpn.empty()) {
    std::string wire = EncodeAlpn(options_.alpn);
    // Unlike most of BoringSSL, this returns 0 on success.
    if (SSL_set_alpn_protos(ssl_.get(), reinterpret_cast<const uint8_t*>(wire.data()), wire.size()) != 0) {
      return FailSetup(STRATA_E_NO_MEMORY, "out of memory setting the ALPN list");
    }
  }
  if (options_.session_cache) {
    if (bssl::UniquePtr<SSL_SESSION> session = SessionCache::Global().Get(session_key_)) {
      SSL_set_session(ssl_.get(), session.get());
    }
  }
  deadline_ms_ = options_.handshake_timeout_ms ? NowMs() + options_.handshake_timeout_ms : 0;
  WakeAt(deadline_ms_);
  return STRATA_OK;
}

std::string TlsLayer::SessionKey() {
  return absl::StrCat(over_tls_ ? "inner|" : "outer|", absl::AsciiStrToLower(host_), "|", port_, "|",
                      peer_.name, "|", peer_.ip_literal ? "ip" : "dns", "|",
                      SettingsFingerprint(options_));
}

strata_status TlsLayer::StepHandshake(int* done) {
  strata_status st = Flush();
  if (st < 0) return FailSetup(st, "the connection below failed during the TLS handshake");
  if (st == STRATA_AGAIN) {
    handshake_wants_read_ = false;
    if (strata_status t = CheckDeadline(); t != STRATA_OK) return t;
    return STRATA_AGAIN;
  }
  ERR_clear_error();
  int rc = SSL_do_handshake(ssl_.get());
  if (rc == 1) {
    st = Flush();
    if (st < 0) return FailSetup(st, "the connection below failed during the TLS handshake");
    if (strata_status f = FinishHandshake(); f != STRATA_OK) return f;
    *done = 1;
    return STRATA_OK;
  }
  int err = SSL_get_error(ssl_.get(), rc);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
    st = Flush();
    if (st < 0) return FailSetup(st, "the connection below failed during the TLS handshake");
    handshake_wants_read_ = PendingOut() == 0 && err == SSL_ERROR_WANT_READ;
    if (strata_status t = CheckDeadline(); t != STRATA_OK) return t;
    return STRATA_AGAIN;
  }
  return HandshakeFailed(err);
}

strata_status TlsLayer::CheckDeadline() {
  if (deadline_ms_ == 0 || NowMs() < deadline_ms_) return STRATA_OK;
  return FailSetup(STRATA_E_TIMEOUT,
                   absl::StrCat("handshake timeout after ", options_.handshake_timeout_ms, " ms (", Target(),
                                first_bytes_.empty() ? ": the server sent nothing"
                                                     : ": the server stopped answering",
                                "); raise handshake_timeout_ms if the server is slow"));
}

strata_status TlsLayer::FinishHandshake() {
  const uint8_t* proto = nullptr;
  unsigned proto_len = 0;
  SSL_get0_alpn_selected(ssl_.get(), &proto, &proto_len);
  alpn_.assign(reinterpret_cast<const char*>(proto), proto_len);
  // BoringSSL already refuses a protocol we did not offer
  // (SSL_R_INVALID_ALPN_PROTOCOL); this keeps the rule visible here and
  // true whatever the library version (HOSTILE A.1, RFC 7301 §3.2).
  if (!alpn_.empty() &&
      std::find(options_.alpn.begin(), options_.alpn.end(), alpn_) == options_.alpn.end()) {
    return FailSetup(STRATA_E_TLS, absl::StrCat("the server at ", Target(), " chose ALPN protocol \"", alpn_,
                                                "\", which we did not offer (offered: ",
                                                absl::StrJoin(options_.alpn, ", "), ")"));
  }
  version_ = SSL_get_version(ssl_.get());
  resumed_ = SSL_session_reused(ssl_.get()) != 0;
  WakeAt(0);
  phase_ = Phase::kOpen;
  const char* cipher = SSL_CIPHER_get_name(SSL_get_current_cipher(ssl_.get()));
  Log(STRATA_LOG_INFO,
      absl::StrCat(resumed_ ? "resumed session: " : "handshake done: ", version_, " ", cipher ? cipher : "",
                   ", alpn=", alpn_.empty() ? "none" : alpn_, ", sni=", peer_.ip_literal ? "none" : peer_.name,
                   options_.verify ? ", certificate verified" : ", certificate NOT verified",
                   context_shared_ ? ", shared TLS context" : ", new TLS context"));
  if (client_cert_requested_ && options_.cert.empty()) {
    Log(STRATA_LOG_WARN, absl::StrCat("the server at ", Target(),
                                      " asked for a client certificate, but none is configured "
                                      "(options cert and key); it may refuse the request"));
  }
  return STRATA_OK;
}

std::string TlsLayer::VerifyFailureMessage() const {
  std::string names = cert_names_.empty() ? "no subjectAltName at all" : absl::StrJoin(cert_names_, ", ");
  if (verify_error_ == X509_V_ERR_HOSTNAME_MISMATCH) {
    return absl::StrCat("host name mismatch: certificate is for ", names, ", not ", peer_.name);
  }
  if (verify_error_ == X509_V_ERR_IP_ADDRESS_MISMATCH) {
    return absl::StrCat("IP address mismatch: certificate is for ", names, ", not IP:", peer_.name,
                        " (an IP address must be listed as an iPAddress subjectAltName)");
  }
  std::string how = X509_verify_cert_error_string(verify_error_);
  return absl::StrCat("certificate verify failed: ", how, " (host ", Target(),
                      verify_depth_ > 0 ? absl::StrCat(", certificate ", verify_depth_, " of the chain") : "",
                      "; check ca_file/ca_path, or set verify: false to skip verification)");
}

strata_status TlsLayer::HandshakeFailed(int ssl_error) {
  if (lower_error_ < 0) {
    return FailSetup(lower_error_, "the connection below failed during the TLS handshake");
  }
  // The first queued error is the root cause (later ones say where it
  // surfaced, e.g. "parse tlsext" after "invalid alpn protocol").
  std::vector<uint32_t> errors;
  while (uint32_t e = ERR_get_error()) errors.push_back(e);
  auto has = [&](int want) {
    return std::any_of(errors.begin(), errors.end(), [&](uint32_t e) {
      return ERR_GET_LIB(e) == ERR_LIB_SSL && ERR_GET_REASON(e) == want;
    });
  };
  uint32_t packed = errors.empty() ? 0 : errors.front();
  if (has(SSL_R_CERTIFICATE_VERIFY_FAILED) || verify_error_ != 0) {
    SessionCache::Global().Drop(session_key_);
    return FailSetup(STRATA_E_TLS_VERIFY, VerifyFailureMessage());
  }
  if (absl::StartsWith(first_bytes_, "HTTP/")) {
    return FailSetup(STRATA_E_TLS, absl::StrCat("the server at ", Target(),
                                                " answered in plain HTTP, not TLS: use an http:// URL for "
                                                "this port, or the port of its TLS service"));
  }
  if (has(SSL_R_INVALID_ALPN_PROTOCOL)) {
    return FailSetup(STRATA_E_TLS, absl::StrCat("the server at ", Target(),
                                                " chose an ALPN protocol we did not offer (we offered: ",
                                                absl::StrJoin(options_.alpn, ", "), ")"));
  }
  if (has(SSL_R_UNSUPPORTED_PROTOCOL) || has(SSL_R_TLSV1_ALERT_PROTOCOL_VERSION)) {
    return FailSetup(STRATA_E_TLS, absl::StrCat("no TLS version in common with ", Target(), ": we offer TLS ",
                                                VersionName(options_.min_version), " to ",
                                                VersionName(options_.max_version),
                                                " (options min_version/max_version)"));
  }
  if (lower_eof_) {
    return FailSetup(STRATA_E_TLS,
                     absl::StrCat("the server at ", Target(), " closed the connection during the TLS handshake",
                                  first_bytes_.empty() ? " without answering" : "",
                                  "; does it speak TLS on this port?"));
  }
  std::string why = packed ? ErrorText(packed) : SSL_error_description(ssl_error);
  return FailSetup(STRATA_E_TLS, absl::StrCat("TLS handshake with ", Target(), " failed: ", why));
}

strata_status TlsLayer::FailSetup(strata_status status, std::string message) {
  WakeAt(0);
  phase_ = Phase::kFailed;
  failed_status_ = status;
  failed_message_ = std::move(message);
  Log(STRATA_LOG_INFO, failed_message_);
  return Fail(failed_status_, failed_message_);
}

strata_status TlsLayer::RecordFailure(strata_status status, std::string message) {
  phase_ = Phase::kFailed;
  failed_status_ = status;
  failed_message_ = std::move(message);
  return Fail(failed_status_, failed_message_);
}

// ---------------------------------------------------------------------------
// Data

strata_status TlsLayer::Flush() {
  while (out_off_ < out_.size()) {
    size_t written = 0;
    strata_status st = LowerSend(reinterpret_cast<const uint8_t*>(out_.data()) + out_off_,
                                 out_.size() - out_off_, &written);
    if (st == STRATA_AGAIN) return STRATA_AGAIN;
    if (st < 0) {
      lower_error_ = st;
      return st;
    }
    out_off_ += std::min(written, out_.size() - out_off_);
  }
  out_.clear();
  out_off_ = 0;
  return STRATA_OK;
}

strata_status TlsLayer::Send(const uint8_t* data, size_t len, size_t* out_written) {
  *out_written = 0;
  if (phase_ == Phase::kFailed) return Fail(failed_status_, failed_message_);
  if (phase_ != Phase::kOpen) return Fail(STRATA_E_STATE, "tls: send before the handshake finished");
  if (shutdown_sent_) return Fail(STRATA_E_STATE, "tls: send after shutdown");
  strata_status st = Flush();
  if (st < 0) return st;
  if (PendingOut() >= kOutHighWater) return STRATA_AGAIN;
  if (len == 0) return STRATA_OK;
  ERR_clear_error();
  int rc = SSL_write(ssl_.get(), data, static_cast<int>(std::min(len, kMaxPlaintextPerSend)));
  if (rc > 0) {
    *out_written = static_cast<size_t>(rc);
    // The bytes are ours now; a lower failure shows on the next call.
    st = Flush();
    return st < 0 ? st : STRATA_OK;
  }
  int err = SSL_get_error(ssl_.get(), rc);
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) return STRATA_AGAIN;
  if (lower_error_ < 0) return lower_error_;
  uint32_t packed = ERR_peek_error();
  return RecordFailure(STRATA_E_TLS, absl::StrCat("TLS send to ", Target(), " failed: ",
                                                  packed ? ErrorText(packed) : SSL_error_description(err)));
}

strata_status TlsLayer::Recv(uint8_t* buf, size_t cap, size_t* out_read) {
  *out_read = 0;
  if (phase_ == Phase::kFailed) return Fail(failed_status_, failed_message_);
  if (phase_ != Phase::kOpen) return Fail(STRATA_E_STATE, "tls: recv before the handshake finished");
  if (close_notify_received_) return STRATA_OK;
  // Reading may owe the peer bytes (a KeyUpdate reply, say).
  strata_status st = Flush();
  if (st < 0) return st;
  if (cap == 0) return STRATA_OK;
  ERR_clear_error();
  int rc = SSL_read(ssl_.get(), buf, static_cast<int>(std::min<size_t>(cap, INT_MAX)));
  if (rc > 0) {
    *out_read = static_cast<size_t>(rc);
    return STRATA_OK;
  }
  int err = SSL_get_error(ssl_.get(), rc);
  if (err == SSL_ERROR_ZERO_RETURN) {
    close_notify_received_ = true;
    return STRATA_OK;
  }
  if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
    st = Flush();
    return st < 0 ? st : STRATA_AGAIN;
  }
  if (lower_error_ < 0) return lower_error_;
  if (lower_eof_) {
    // RFC 9112 §9.8 / HOSTILE A.5: without close_notify an attacker could
    // have cut the stream; a body that runs to the close is incomplete.
    return RecordFailure(STRATA_E_TRUNCATED,
                         absl::StrCat("the server at ", Target(),
                                      " closed the connection without a TLS close_notify: the data "
                                      "received may be truncated"));
  }
  uint32_t packed = ERR_peek_error();
  if (ERR_GET_LIB(packed) == ERR_LIB_SSL && ERR_GET_REASON(packed) == SSL_R_TLSV1_ALERT_CERTIFICATE_REQUIRED) {
    return RecordFailure(STRATA_E_TLS, absl::StrCat("the server at ", Target(),
                                                    " requires a client certificate (alert certificate_required); "
                                                    "set the cert and key options"));
  }
  return RecordFailure(STRATA_E_TLS, absl::StrCat("TLS receive from ", Target(), " failed: ",
                                                  packed ? ErrorText(packed) : SSL_error_description(err)));
}

uint32_t TlsLayer::PollInterest(uint32_t wants) {
  switch (phase_) {
    case Phase::kLowerConnecting:
      return LowerPollInterest(wants);
    case Phase::kHandshaking: {
      uint32_t need = PendingOut() > 0 || !handshake_wants_read_ ? STRATA_POLL_WRITE : STRATA_POLL_READ;
      return LowerPollInterest(need);
    }
    case Phase::kOpen:
      return LowerPollInterest(wants | (PendingOut() > 0 ? uint32_t{STRATA_POLL_WRITE} : 0u));
    case Phase::kFailed:
      break;
  }
  return LowerPollInterest(wants);
}

bool TlsLayer::DataPending() {
  if (phase_ == Phase::kOpen && (SSL_has_pending(ssl_.get()) || in_begin_ != in_end_)) return true;
  return LowerDataPending();
}

std::string TlsLayer::Describe() const {
  std::string out = absl::StrCat("tls(sni=", peer_.ip_literal ? "none" : peer_.name);
  if (phase_ == Phase::kOpen) {
    absl::StrAppend(&out, ", alpn=", alpn_.empty() ? "none" : alpn_, ", ", version_);
    if (resumed_) absl::StrAppend(&out, ", resumed");
    if (!options_.verify) absl::StrAppend(&out, ", unverified");
  }
  return out + ")";
}

strata_status TlsLayer::Query(uint32_t query, void* out, size_t* inout_len) {
  switch (query) {
    case STRATA_QUERY_DESCRIBE:
      return AnswerText(Describe(), out, inout_len);
    case STRATA_QUERY_ALPN:
    case STRATA_QUERY_TLS_VERSION:
    case STRATA_QUERY_TLS_RESUMED:
      if (phase_ != Phase::kOpen) return STRATA_E_STATE;
      if (query == STRATA_QUERY_ALPN) return AnswerText(alpn_, out, inout_len);
      if (query == STRATA_QUERY_TLS_VERSION) return AnswerText(version_, out, inout_len);
      return AnswerInt(resumed_ ? 1 : 0, out, inout_len);
    case STRATA_QUERY_TLS_VERIFY_RESULT:
      // What verification found even when it is off (curl's
      // ssl_verify_result): X509_V_OK, or why the chain would be refused.
      if (phase_ != Phase::kOpen) return STRATA_E_STATE;
      return AnswerInt(static_cast<int>(SSL_get_verify_result(ssl_.get())), out, inout_len);
    case STRATA_QUERY_TLS_PEER_CHAIN: {
      // For policies (pinning): the chain as the peer sent it, which a
      // resumed session keeps too. Each certificate is framed by a 4-byte
      // big-endian length.
      if (phase_ != Phase::kOpen) return STRATA_E_STATE;
      return AnswerPeerChain(ssl_.get(), out, inout_len);
    }
    default:
      return LowerQuery(query, out, inout_len);
  }
}

strata_status TlsLayer::Shutdown(int* done) {
  *done = 0;
  if (phase_ != Phase::kOpen) {
    *done = 1;
    return STRATA_OK;
  }
  if (!shutdown_sent_) {
    shutdown_sent_ = true;
    ERR_clear_error();
    // Queues close_notify; we do not wait for the server's (RFC 8446 §6.1
    // lets the closing side stop reading).
    SSL_shutdown(ssl_.get());
  }
  strata_status st = Flush();
  if (st == STRATA_AGAIN) return STRATA_AGAIN;
  *done = 1;
  return STRATA_OK;  // a lost close_notify is no reason to fail teardown
}

// ---------------------------------------------------------------------------
// BoringSSL callbacks

TlsLayer* TlsLayer::FromSsl(const SSL* ssl) {
  return static_cast<TlsLayer*>(SSL_get_ex_data(ssl, SslIndex()));
}

int TlsLayer::BioRead(BIO* bio, char* out, int len) {
  auto* self = static_cast<TlsLayer*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (len <= 0) return 0;
  const size_t want = static_cast<size_t>(len);
  if (self->in_begin_ == self->in_end_) {
    // Nothing read ahead: read from below, into the buffer, or straight into
    // |out| for a read as large as the buffer.
    const bool direct = want >= kReadAhead;
    if (!direct && !self->in_) self->in_ = std::make_unique<uint8_t[]>(kReadAhead);
    uint8_t* into = direct ? reinterpret_cast<uint8_t*>(out) : self->in_.get();
    const size_t cap = direct ? want : kReadAhead;
    size_t got = 0;
    strata_status st = self->LowerRecv(into, cap, &got);
    if (st == STRATA_OK && got > cap) st = STRATA_E_INTERNAL;  // a lower layer past the buffer
    if (st == STRATA_AGAIN) {
      BIO_set_retry_read(bio);
      return -1;
    }
    if (st < 0) {
      self->lower_error_ = st;
      return -1;
    }
    if (got == 0) {
      self->lower_eof_ = true;
      return 0;
    }
    if (direct) {
      self->NoteFirstBytes(out, got);
      return static_cast<int>(got);
    }
    self->in_begin_ = 0;
    self->in_end_ = got;
  }
  const size_t n = std::min(want, self->in_end_ - self->in_begin_);
  std::memcpy(out, self->in_.get() + self->in_begin_, n);
  self->in_begin_ += n;
  self->NoteFirstBytes(out, n);
  return static_cast<int>(n);
}

void TlsLayer::NoteFirstBytes(const char* data, size_t n) {
  if (first_bytes_.size() < 8) first_bytes_.append(data, std::min<size_t>(n, 8 - first_bytes_.size()));
}

int TlsLayer::BioWrite(BIO* bio, const char* in, int len) {
  auto* self = static_cast<TlsLayer*>(BIO_get_data(bio));
  BIO_clear_retry_flags(bio);
  if (len <= 0) return 0;
  // Always accepted; Send() bounds how much can pile up.
  self->out_.append(in, static_cast<size_t>(len));
  return len;
}

long TlsLayer::BioCtrl(BIO* bio, int cmd, long larg, void* parg) {
  // BoringSSL flushes after each flight; our buffer drains in Flush().
  return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

int TlsLayer::VerifyCallback(int ok, X509_STORE_CTX* store) {
  if (ok) return ok;
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  TlsLayer* self = ssl ? FromSsl(ssl) : nullptr;
  if (self && self->verify_error_ == 0) {
    self->verify_error_ = X509_STORE_CTX_get_error(store);
    self->verify_depth_ = X509_STORE_CTX_get_error_depth(store);
    self->cert_names_ = CertificateNames(X509_STORE_CTX_get0_cert(store));
  }
  return ok;
}

int TlsLayer::NewSessionCallback(SSL* ssl, SSL_SESSION* session) {
  TlsLayer* self = FromSsl(ssl);
  if (!self || !self->options_.session_cache) return 0;
  // Returning 1 hands our reference to the cache.
  SessionCache::Global().Put(self->session_key_, bssl::UniquePtr<SSL_SESSION>(session));
  return 1;
}

int TlsLayer::CertCallback(SSL* ssl, void* arg) {
  // Called on a client only when the server sends CertificateRequest.
  if (TlsLayer* self = FromSsl(ssl)) self->client_cert_requested_ = true;
  return 1;
}

}  // namespace strata::tls
