#include "tools/cli/request_options.h"

#include <cstdint>

#include "absl/strings/str_join.h"
#include "nlohmann/json.hpp"
#include "runtime/client/connect_to.h"
#include "tools/cli/exit_codes.h"
#include "strata/strata.h"

namespace strata::cli {

const char* const kH2FrameTraceLayers[3] = {"h2-alpn", "h2", "h2-upgrade"};

std::string ProxyCredentials(const std::string& proxy_user) {
  if (proxy_user.find(':') != std::string::npos) return proxy_user;
  return proxy_user + ":";
}

std::string ProxyUrlUserinfo(const std::string& proxy_url) {
  size_t start = proxy_url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = proxy_url.find_first_of("/?#", start);
  if (end == std::string::npos) end = proxy_url.size();
  size_t at = proxy_url.rfind('@', end == 0 ? 0 : end - 1);
  if (at == std::string::npos || at < start || at >= end) return "";
  return proxy_url.substr(start, at - start);
}

std::string LayerOptionsJson(const CliOptions& options) {
  nlohmann::json tls = nlohmann::json::object();
  if (options.cacert) tls["ca_file"] = *options.cacert;
  if (options.capath) tls["ca_path"] = *options.capath;
  if (options.insecure) tls["verify"] = false;
  if (options.cert) tls["cert"] = *options.cert;
  if (options.key) tls["key"] = *options.key;
  if (options.tls_min) tls["min_version"] = *options.tls_min;
  if (options.tls_max) tls["max_version"] = *options.tls_max;
  if (!options.ciphers.empty()) tls["ciphers"] = options.ciphers;
  if (!options.curves.empty()) tls["curves"] = options.curves;

  nlohmann::json proxy_tls = nlohmann::json::object();
  if (options.proxy_cacert) proxy_tls["ca_file"] = *options.proxy_cacert;
  if (options.proxy_capath) proxy_tls["ca_path"] = *options.proxy_capath;
  if (options.proxy_insecure) proxy_tls["verify"] = false;

  nlohmann::json layers = nlohmann::json::object();
  if (options.ip_family) layers["tcp"] = {{"family", *options.ip_family}};
  // The h3 layer does its own TLS (QUIC) and reads the same trust options:
  // with --http3-only, --http3, and by default too, since an Alt-Svc h3
  // alternative may race an HTTP/3 chain against the TCP one.
  const bool may_h3 = options.http_version == HttpVersion::kHttp3Only || options.http_version == HttpVersion::kHttp3 ||
                      (options.http_version == HttpVersion::kDefault && !options.alt_svc_files.empty());
  nlohmann::json h3 = tls;
  // 0-RTT (later curl's --tls-earlydata): only the h3 layer sends early
  // data, and only idempotent requests (plugins/h3/early_data.h).
  if (options.tls_earlydata) h3["early_data"] = true;
  if (!h3.empty() && may_h3) layers["h3"] = std::move(h3);
  if (!tls.empty()) layers["tls"] = std::move(tls);
  if (!proxy_tls.empty()) layers["proxy:tls"] = std::move(proxy_tls);
  if (!options.fault.empty()) layers["fault"] = nlohmann::json::parse(options.fault);
  if (options.verbose) {
    // -v shows the HTTP/2 frames: the h2 session layers log them as INFO
    // (a TRACE event) instead of DEBUG with "trace_frames". The runtime
    // applies an entry only to a layer of that name in the hop's pipeline,
    // so HTTP/1.1 pipelines are unaffected.
    for (const char* layer : kH2FrameTraceLayers) {
      layers[layer] = {{"trace_frames", true}};
    }
  }
  return layers.empty() ? "" : layers.dump();
}

RequestOptions BuildRequestOptions(const CliOptions& options) {
  RequestOptions out;
  auto add_int = [&](int32_t id, int64_t value, const char* what) {
    out.ints.push_back({id, value, what});
  };
  if (options.max_time_ms) {
    add_int(STRATA_OPT_TIMEOUT_MS, *options.max_time_ms, "--max-time");
  }
  if (options.connect_timeout_ms) {
    add_int(STRATA_OPT_CONNECT_TIMEOUT_MS, *options.connect_timeout_ms,
            "--connect-timeout");
  }
  if (options.follow_redirects) {
    add_int(STRATA_OPT_FOLLOW_REDIRECTS, 1, "--location");
  }
  if (options.if_modified_since) {
    add_int(STRATA_OPT_IF_MODIFIED_SINCE, *options.if_modified_since, "--time-cond");
  }
  if (options.if_unmodified_since) {
    add_int(STRATA_OPT_IF_UNMODIFIED_SINCE, *options.if_unmodified_since, "--time-cond");
  }
  if (options.retry > 0) {
    // What curl 7.88 retries: timeouts (and failed name lookups), the HTTP
    // statuses, any method, exact backoff waits; refused connections and
    // every error only when asked.
    int64_t on = STRATA_RETRY_ON_TIMEOUT | STRATA_RETRY_ON_HTTP | STRATA_RETRY_NON_IDEMPOTENT | STRATA_RETRY_NO_JITTER;
    if (options.retry_connrefused) on |= STRATA_RETRY_ON_CONNECT;
    if (options.retry_all_errors) on |= STRATA_RETRY_ON_ALL_ERRORS;
    add_int(STRATA_OPT_RETRY, options.retry, "--retry");
    add_int(STRATA_OPT_RETRY_ON, on, "--retry");
    if (options.retry_delay_ms > 0) add_int(STRATA_OPT_RETRY_DELAY_MS, options.retry_delay_ms, "--retry-delay");
    if (options.retry_max_time_ms > 0) {
      add_int(STRATA_OPT_RETRY_MAX_TIME_MS, options.retry_max_time_ms, "--retry-max-time");
    }
  }
  if (options.max_redirects) {
    // curl's -1 means no limit; the runtime takes a count.
    add_int(STRATA_OPT_MAX_REDIRECTS,
            *options.max_redirects < 0 ? INT32_MAX : *options.max_redirects,
            "--max-redirs");
  }
  if (options.fail) add_int(STRATA_OPT_FAIL_ON_HTTP_ERROR, 1, "--fail");
  if (options.unsafe_redirect) {
    add_int(STRATA_OPT_UNSAFE_REDIRECT, 1, "--unsafe-redirect");
  }
  if (options.location_trusted) {
    add_int(STRATA_OPT_LOCATION_TRUSTED, 1, "--location-trusted");
  }
  if (options.post301) add_int(STRATA_OPT_POST301, 1, "--post301");
  if (options.post302) add_int(STRATA_OPT_POST302, 1, "--post302");
  if (options.post303) add_int(STRATA_OPT_POST303, 1, "--post303");
  if (options.proxytunnel) {
    add_int(STRATA_OPT_PROXY_TUNNEL, 1, "--proxytunnel");
  }
  if (options.proxy_http2) add_int(STRATA_OPT_PROXY_HTTP2, 1, "--proxy-http2");
  switch (options.http_version) {
    case HttpVersion::kDefault:
      break;
    case HttpVersion::kHttp11:
      add_int(STRATA_OPT_HTTP_VERSION, STRATA_HTTP_VERSION_1_1, "--http1.1");
      break;
    case HttpVersion::kHttp2:
      add_int(STRATA_OPT_HTTP_VERSION, STRATA_HTTP_VERSION_2, "--http2");
      break;
    case HttpVersion::kHttp2PriorKnowledge:
      add_int(STRATA_OPT_HTTP_VERSION, STRATA_HTTP_VERSION_2_PRIOR_KNOWLEDGE,
              "--http2-prior-knowledge");
      break;
    case HttpVersion::kHttp3:
      add_int(STRATA_OPT_HTTP_VERSION, STRATA_HTTP_VERSION_3, "--http3");
      break;
    case HttpVersion::kHttp3Only:
      add_int(STRATA_OPT_HTTP_VERSION, STRATA_HTTP_VERSION_3_ONLY, "--http3-only");
      break;
  }

  auto add_string = [&](int32_t id, std::string value, std::string what) {
    out.strings.push_back({id, std::move(value), std::move(what)});
  };
  for (const std::string& entry : options.resolve) {
    add_string(STRATA_OPT_RESOLVE, entry, "--resolve " + entry);
  }
  for (const std::string& entry : options.connect_to) {
    // curl reports a bad entry with exit code 49 and its own message.
    absl::StatusOr<ConnectToEntry> parsed = ParseConnectTo(entry);
    out.strings.push_back({STRATA_OPT_CONNECT_TO, entry,
                           parsed.ok() ? "--connect-to " + entry : std::string(parsed.status().message()),
                           kExitSetoptSyntax});
  }
  if (options.interface) add_string(STRATA_OPT_INTERFACE, *options.interface, "--interface");
  if (options.local_port > 0) {
    add_int(STRATA_OPT_LOCAL_PORT, options.local_port, "--local-port");
    add_int(STRATA_OPT_LOCAL_PORT_RANGE, options.local_port_range, "--local-port");
  }
  if (options.unix_socket) {
    // The runtime refuses a path too long for sockaddr_un; curl calls that
    // a resolve failure (6) and quotes the path.
    const std::string& path = *options.unix_socket;
    const bool too_long = path.size() > kMaxUnixSocketPath;
    out.strings.push_back(
        {options.abstract_unix_socket ? STRATA_OPT_ABSTRACT_UNIX_SOCKET : STRATA_OPT_UNIX_SOCKET, path,
         too_long ? "Unix socket path too long: '" + path + "'"
                  : (options.abstract_unix_socket ? "--abstract-unix-socket" : "--unix-socket"),
         too_long ? kExitCouldntResolveHost : 0});
  }
  if (options.pipeline) {
    add_string(STRATA_OPT_PIPELINE, *options.pipeline,
               "--pipeline " + *options.pipeline);
  }
  if (options.proxy) add_string(STRATA_OPT_PROXY, *options.proxy, "--proxy");
  for (const std::string& url : options.preproxy) add_string(STRATA_OPT_PREPROXY, url, "--preproxy");
  // -C is per URL (its offset may come from the output file): cli_main.
  if (options.range) add_string(STRATA_OPT_RANGE, *options.range, "--range");
  if (options.compressed) add_string(STRATA_OPT_ACCEPT_ENCODING, "", "--compressed");
  if (!options.cookie_data.empty()) {
    // curl joins several -b strings with a bare ';'.
    add_string(STRATA_OPT_COOKIE, absl::StrJoin(options.cookie_data, ";"), "--cookie");
  }
  if (options.proxy_user) {
    // The credentials are never quoted back, not even in an error.
    add_string(STRATA_OPT_PROXY_CREDENTIALS,
               ProxyCredentials(*options.proxy_user), "--proxy-user");
  }
  if (options.noproxy) {
    add_string(STRATA_OPT_NO_PROXY, *options.noproxy, "--noproxy");
  }
  if (!options.fault.empty()) {
    // The fault layer goes in above the socket of every hop's chain; its
    // options travel with the other layers' below.
    add_string(STRATA_OPT_LAYER_ABOVE_BOTTOM, "fault", "--fault");
  }
  std::string layers = LayerOptionsJson(options);
  if (!layers.empty()) {
    add_string(STRATA_OPT_LAYER_OPTIONS, layers, "layer options");
  }
  return out;
}

}  // namespace strata::cli
