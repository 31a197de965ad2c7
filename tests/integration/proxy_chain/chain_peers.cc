#include "tests/integration/proxy_chain/chain_peers.h"

namespace strata::test {

bool ChainPeers::Start(const std::string& body, std::string* error) {
  if (!pki.MakeCa("ca", error) || !pki.MakeLocalhostLeaf("ca", error)) return false;
  origin_port = origin.AddServer("    ssl_certificate \"" + pki.Cert("localhost") + "\";\n" +
                                 "    ssl_certificate_key \"" + pki.Key("localhost") + "\";\n" +
                                 "    location / { return 200 \"" + body + "\\n\"; }\n");
  if (!origin.Start(error)) return false;
  squid.EnableTls(pki.Cert("localhost"), pki.Key("localhost"));
  return squid.Start(error) && tinyproxy.Start(error);
}

}  // namespace strata::test
