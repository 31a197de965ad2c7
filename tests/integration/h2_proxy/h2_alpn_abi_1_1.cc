// h2_alpn_abi_1_1.cc — strata-h2-alpn-abi-1-1.so: the real h2-alpn plugin
// whose descriptor claims ABI 1.1, as a plugin built before HTTP/2 CONNECT
// tunnels (ABI 1.2) would. Such a plugin does not know STRATA_REQUEST_TUNNEL,
// so the runtime must not ask it for a tunnel.
#define strata_plugin_entry strata_h2_alpn_current_entry
#include "plugins/h2_alpn/plugin.cc"
#undef strata_plugin_entry

extern "C" STRATA_PLUGIN_EXPORT const strata_plugin_descriptor* strata_plugin_entry(void) {
  static const strata_plugin_descriptor descriptor = [] {
    strata_plugin_descriptor d = *strata_h2_alpn_current_entry();
    d.abi_minor = 1;
    d.name = "h2-alpn-abi-1-1";
    return d;
  }();
  return &descriptor;
}
