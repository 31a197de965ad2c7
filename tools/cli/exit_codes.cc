#include "tools/cli/exit_codes.h"

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace strata::cli {

namespace {

constexpr ExitCodeDoc kDocs[] = {
    {kExitOk, "success"},
    {kExitUnsupportedProtocol, "unsupported protocol (URL scheme)"},
    {kExitInit, "usage error, bad configuration, plugin or internal failure"},
    {kExitUrlMalformed, "URL malformed"},
    {kExitNotBuiltIn, "option or feature not supported by this build"},
    {kExitCouldntResolveProxy, "could not resolve the proxy host"},
    {kExitCouldntResolveHost, "could not resolve the host"},
    {kExitCouldntConnect, "could not connect"},
    {kExitWeirdServerReply, "the server broke the protocol"},
    {kExitPartialFile, "response body shorter than announced (truncated)"},
    {kExitHttpError, "HTTP status >= 400 with -f/--fail"},
    {kExitWriteError, "could not write the output (file, stdout)"},
    {kExitReadError, "could not read the request body or a @file argument"},
    {kExitOutOfMemory, "out of memory"},
    {kExitTimeout, "timeout (--connect-timeout, --max-time or configured)"},
    {kExitRangeError, "the server did not resume where -C asked"},
    {kExitTlsError, "TLS handshake or record failure"},
    {kExitAborted, "transfer cancelled, or a hop refused by a configured policy"},
    {kExitInterfaceFailed, "could not bind the local end (--interface, --local-port)"},
    {kExitTooManyRedirects, "redirect refused: hop limit, loop or policy"},
    {kExitSetoptSyntax, "malformed option value (--connect-to)"},
    {kExitEmptyReply, "the server closed the connection without replying"},
    {kExitSendError, "I/O error while sending the request"},
    {kExitRecvError, "I/O error or connection closed while receiving, or a refused CONNECT"},
    {kExitCertVerify, "certificate or host name verification failed"},
    {kExitBadContentEncoding, "the response's content coding could not be decoded (--compressed)"},
    {kExitFileSizeExceeded, "a configured size limit was exceeded"},
    {kExitCaCertBadFile, "the CA certificates (--cacert, --capath) could not be read"},
    {kExitPinnedKeyMismatch, "the server's public key does not match --pinnedpubkey"},
    {kExitHttp2Stream, "the server reset the HTTP/2 stream"},
    {kExitProxy, "a SOCKS proxy refused or broke the tunnel"},
};

}  // namespace

const ExitCodeDoc* ExitCodeDocs(size_t* out_count) {
  *out_count = sizeof(kDocs) / sizeof(kDocs[0]);
  return kDocs;
}

bool HasUnsupportedScheme(absl::string_view url) {
  size_t sep = url.find("://");
  if (sep == absl::string_view::npos || sep == 0) return false;
  absl::string_view scheme = url.substr(0, sep);
  if (!absl::ascii_isalpha(static_cast<unsigned char>(scheme[0]))) return false;
  for (char c : scheme) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '+' &&
        c != '-' && c != '.') {
      return false;  // not a scheme at all: a malformed URL
    }
  }
  return !absl::EqualsIgnoreCase(scheme, "http") &&
         !absl::EqualsIgnoreCase(scheme, "https");
}

int ExitCodeFor(strata_status status, const FailureContext& context) {
  switch (status) {
    case STRATA_OK:
      return kExitOk;
    case STRATA_E_NO_MEMORY:
      return kExitOutOfMemory;
    case STRATA_E_UNSUPPORTED:
      return kExitNotBuiltIn;
    case STRATA_E_INVALID_ARGUMENT:
    case STRATA_E_CONFIG:
    case STRATA_E_PLUGIN_LOAD:
    case STRATA_E_PLUGIN_ABI:
    case STRATA_E_PLUGIN_INIT:
    case STRATA_E_UNKNOWN_LAYER:
      return kExitInit;
    case STRATA_E_URL:
      return HasUnsupportedScheme(context.url) ? kExitUnsupportedProtocol
                                               : kExitUrlMalformed;
    case STRATA_E_RESOLVE:
      return context.proxy_involved ? kExitCouldntResolveProxy
                                    : kExitCouldntResolveHost;
    case STRATA_E_CONNECT:
      return kExitCouldntConnect;
    case STRATA_E_TIMEOUT:
      return kExitTimeout;
    case STRATA_E_IO:
      // strata has one I/O code; curl tells sending from receiving. The
      // request head having gone out is the best line we can draw.
      return context.request_sent ? kExitRecvError : kExitSendError;
    case STRATA_E_CLOSED:
      // curl's 52 is "the server sent nothing at all" (also when it closed
      // a new connection before our request went out: curl, which writes
      // the request at once, reports 52 there too); once a response has
      // started, a close is a receive error.
      return context.response_started ? kExitRecvError : kExitEmptyReply;
    case STRATA_E_TLS:
      return kExitTlsError;
    case STRATA_E_TLS_VERIFY:
      return kExitCertVerify;
    case STRATA_E_LOCAL_BIND:
      return kExitInterfaceFailed;
    case STRATA_E_PROXY:
      return context.http_tunnel ? kExitRecvError : kExitProxy;
    case STRATA_E_TLS_CA:
      return kExitCaCertBadFile;
    case STRATA_E_TLS_PINNED_KEY:
      return kExitPinnedKeyMismatch;
    case STRATA_E_POLICY_DENIED:
      // curl has no policies; its nearest is an application callback that
      // stopped the transfer.
      return kExitAborted;
    case STRATA_E_PROTOCOL:
      return kExitWeirdServerReply;
    case STRATA_E_TRUNCATED:
      return kExitPartialFile;
    case STRATA_E_LIMIT:
      return kExitFileSizeExceeded;
    case STRATA_E_HTTP_STATUS:
      return kExitHttpError;
    case STRATA_E_REDIRECT:
      return kExitTooManyRedirects;
    case STRATA_E_BODY:
      if (context.writer_failed) return kExitWriteError;
      return kExitReadError;
    case STRATA_E_CANCELLED:
      return context.writer_failed ? kExitWriteError : kExitAborted;
    case STRATA_E_STREAM_RESET:
      return kExitHttp2Stream;
    case STRATA_E_RANGE:
      return kExitRangeError;
    case STRATA_E_CONTENT_ENCODING:
      return kExitBadContentEncoding;
    case STRATA_E_NOT_PROCESSED:
      // The server refused the request (GOAWAY above it, REFUSED_STREAM)
      // more often than the runtime resends: a network failure, as curl
      // reports a refused stream it could not retry (56).
      return kExitRecvError;
    default:
      // STRATA_AGAIN, STRATA_E_STATE, STRATA_E_BUFFER_TOO_SMALL,
      // STRATA_E_INTERNAL and codes newer than this build: the CLI or the
      // library is at fault, not the network, so report a failed start-up.
      return kExitInit;
  }
}

}  // namespace strata::cli
