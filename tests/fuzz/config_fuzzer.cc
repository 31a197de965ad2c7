// config_fuzzer.cc — runtime/config: ParseConfig (JSON loader + validator).
//
// Input: the JSON text. Invariants (violations trap): no crash or hang;
// parsing is deterministic; a rejected configuration is InvalidArgument
// with a message; an accepted one satisfies the validator's promises (every
// pipeline has layers with non-empty names and object options, every plugin
// a name or a path, non-negative timeouts and limits, proxy.tls an object).
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/string_view.h"
#include "runtime/config/config.h"

namespace {
void Check(bool ok) {
  if (!ok) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<strata::Config> c = strata::ParseConfig(text);
  absl::StatusOr<strata::Config> again = strata::ParseConfig(text);
  Check(c.ok() == again.ok());
  if (!c.ok()) {
    Check(c.status().code() == absl::StatusCode::kInvalidArgument);
    Check(!c.status().message().empty());
    Check(c.status() == again.status());
    return 0;
  }
  Check(c->pipelines.size() == again->pipelines.size());
  for (const auto& [name, p] : c->pipelines) {
    Check(p.name == name);
    Check(!p.layers.empty());
    for (const strata::LayerSpec& l : p.layers) {
      Check(!l.layer.empty());
      Check(l.options.is_object());
      Check(!l.json_path.empty());
    }
  }
  for (const strata::PluginSpec& p : c->plugins) {
    Check(!p.name.empty() || !p.path.empty());
    Check(p.name.find('/') == std::string::npos);
  }
  Check(c->timeouts.connect_ms >= 0 && c->timeouts.first_byte_ms >= 0 &&
        c->timeouts.idle_ms >= 0 && c->timeouts.total_ms >= 0);
  Check(c->pool.max_idle_per_origin >= 0 && c->pool.idle_timeout_ms >= 0);
  Check(c->redirect.max >= 0);
  Check(c->limits.max_body_bytes >= 0);
  Check(c->proxy.tls.is_object());
  return 0;
}
