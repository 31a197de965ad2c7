// tls_layer.h — the `tls` byte-stream layer: a TLS 1.2/1.3 client on
// BoringSSL over whatever byte stream is below (tcp, or another tls layer).
//
// Ciphertext never touches a socket here: a custom BIO reads through
// lower_recv, and writes go into an output buffer that is flushed through
// lower_send. Because that BIO always accepts, SSL_write never reports
// "want write" half way through a record, so Send() can honour the ABI's
// "STRATA_AGAIN: nothing accepted" without BoringSSL's retry-with-the-same-
// buffer rule leaking to the layer above.
//
// Phases:
//   lower-connecting  drives lower_connect until the stream below is ready
//   handshaking       SSL_do_handshake until done, failed, or the deadline
//   open              application data; recv reports an EOF without
//                     close_notify as STRATA_E_TRUNCATED
//   failed            every call repeats the first error
#ifndef STRATA_PLUGINS_TLS_TLS_LAYER_H_
#define STRATA_PLUGINS_TLS_TLS_LAYER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <openssl/ssl.h>

#include "plugins/tls/host_name.h"
#include "plugins/tls/tls_options.h"
#include "strata/sdk.hpp"

namespace strata::tls {

class TlsLayer : public sdk::ByteStreamLayer {
 public:
  // Reads and validates the options; throws sdk::Error(STRATA_E_CONFIG) on a
  // bad one. No I/O (files are read when the handshake starts).
  TlsLayer(strata_layer_ctx* ctx, const strata_layer_config* config);
  ~TlsLayer() override;

  strata_status Connect(int* done) override;
  strata_status Send(const uint8_t* data, size_t len, size_t* out_written) override;
  strata_status Recv(uint8_t* buf, size_t cap, size_t* out_read) override;
  uint32_t PollInterest(uint32_t wants) override;
  bool DataPending() override;
  strata_status Query(uint32_t query, void* out, size_t* inout_len) override;
  strata_status Shutdown(int* done) override;

 private:
  enum class Phase { kLowerConnecting, kHandshaking, kOpen, kFailed };

  // Setup builds the SSL_CTX and SSL for this connection and starts the
  // handshake clock.
  strata_status Setup();
  strata_status StepHandshake(int* done);
  strata_status FinishHandshake();
  strata_status HandshakeFailed(int ssl_error);
  strata_status CheckDeadline();
  strata_status FailSetup(strata_status status, std::string message);
  // RecordFailure is for errors after the handshake: the layer stays failed.
  strata_status RecordFailure(strata_status status, std::string message);
  // Flush sends buffered ciphertext: OK when empty, AGAIN when the layer
  // below would block, its negative status when it failed.
  strata_status Flush();
  size_t PendingOut() const { return out_.size() - out_off_; }
  // Target is "host:port" as the user wrote it (for messages).
  std::string Target() const;
  std::string SessionKey();
  std::string Describe() const;
  std::string VerifyFailureMessage() const;

  // BoringSSL callbacks; each finds its layer through the SSL's ex_data.
  static int BioRead(BIO* bio, char* out, int len);
  // NoteFirstBytes keeps the start of what the server sent (first_bytes_).
  void NoteFirstBytes(const char* data, size_t n);
  static int BioWrite(BIO* bio, const char* in, int len);
  static long BioCtrl(BIO* bio, int cmd, long larg, void* parg);
  static int VerifyCallback(int ok, X509_STORE_CTX* store);
  static int NewSessionCallback(SSL* ssl, SSL_SESSION* session);
  static int CertCallback(SSL* ssl, void* arg);
  static TlsLayer* FromSsl(const SSL* ssl);

  std::string host_;
  uint16_t port_ = 0;
  TlsOptions options_;
  PeerName peer_;
  bool over_tls_ = false;  // another TLS layer is below us
  std::string session_key_;

  Phase phase_ = Phase::kLowerConnecting;
  strata_status failed_status_ = STRATA_OK;
  std::string failed_message_;
  uint64_t deadline_ms_ = 0;
  // What the last SSL_do_handshake waited for (poll interest while
  // handshaking): write first, the ClientHello is ours to send.
  bool handshake_wants_read_ = false;

  bssl::UniquePtr<SSL_CTX> ssl_ctx_;
  bssl::UniquePtr<SSL> ssl_;

  std::string out_;      // ciphertext not yet accepted by the layer below
  size_t out_off_ = 0;
  // Ciphertext read ahead from the layer below. BoringSSL asks its BIO for
  // a record's 5-byte header and then for its body, and a read each cost a
  // system call below: two per small response. BioRead takes what the layer
  // below has, up to kReadAhead, and serves BoringSSL's reads from it.
  static constexpr size_t kReadAhead = 32 * 1024;
  std::unique_ptr<uint8_t[]> in_;  // made on the first read
  size_t in_begin_ = 0;
  size_t in_end_ = 0;
  strata_status lower_error_ = STRATA_OK;  // why the BIO's last read/write failed
  bool lower_eof_ = false;
  std::string first_bytes_;  // start of what the server sent, to spot plain HTTP

  // Verification details from VerifyCallback, for the error message.
  long verify_error_ = 0;
  int verify_depth_ = 0;
  std::vector<std::string> cert_names_;  // leaf SANs: "a.test", "IP:127.0.0.1"
  bool client_cert_requested_ = false;

  std::string alpn_;
  std::string version_;
  bool resumed_ = false;
  bool context_shared_ = false;  // ssl_ctx_ came from the context cache
  bool close_notify_received_ = false;
  bool shutdown_sent_ = false;
};

}  // namespace strata::tls

#endif  // STRATA_PLUGINS_TLS_TLS_LAYER_H_
