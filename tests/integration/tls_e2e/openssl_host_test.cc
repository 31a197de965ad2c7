// A host program that links the system OpenSSL (libssl.so.3) and loads the
// tls plugin: BoringSSL's symbols are unversioned and carry OpenSSL's names,
// so unless the plugin is loaded with its own dependencies first, its
// SSL_* calls would bind to OpenSSL here. The runtime dlopens plugins with
// RTLD_DEEPBIND, and a verified fetch must work. ASan cannot use
// RTLD_DEEPBIND; there the plugin must refuse with a clear error instead of
// crashing in a mix of the two libraries.
#include <dlfcn.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include <string>

#include "gtest/gtest.h"
#include "strata/strata.h"
#include "tests/integration/tls_e2e/tls_peers.h"
#include "tests/support/strata_client.h"

namespace strata::test {
namespace {

TEST(OpenSslHost, PluginUsesBoringSslNextToTheSystemOpenSsl) {
  // Make OpenSSL really live in this process, in the global scope.
  ASSERT_EQ(OPENSSL_init_ssl(0, nullptr), 1);
  SSL_CTX* openssl_ctx = SSL_CTX_new(TLS_client_method());
  ASSERT_NE(openssl_ctx, nullptr);
  EXPECT_NE(std::string(OpenSSL_version(OPENSSL_VERSION)).find("OpenSSL 3"), std::string::npos);
  Dl_info where{};
  ASSERT_TRUE(dladdr(dlsym(RTLD_DEFAULT, "SSL_new"), &where));
  EXPECT_NE(std::string(where.dli_fname).find("libssl.so.3"), std::string::npos) << where.dli_fname;

  TestPki pki;
  std::string e;
  ASSERT_TRUE(pki.MakeCa("ca", &e) &&
              pki.MakeLeaf("localhost", "ca", "localhost", "DNS:localhost", "serverAuth", &e))
      << e;
  TlsNginx nginx;
  uint16_t port = nginx.AddServer("    ssl_certificate \"" + pki.Cert("localhost") +
                                  "\";\n    ssl_certificate_key \"" + pki.Key("localhost") +
                                  "\";\n    location / { return 200 \"hello over $ssl_protocol\\n\"; }\n");
  ASSERT_TRUE(nginx.Start(&e)) << e;

  std::string config = "{\"plugin_dirs\": [" + JsonString(DistPluginDir()) +
                       "], \"plugins\": [\"tcp\", \"tls\", \"h1\"], \"pipelines\": {\"https\": [\"tcp\", "
                       "{\"layer\": \"tls\", \"options\": {\"ca_file\": " +
                       JsonString(pki.Cert("ca")) + "}}, \"h1\"]}, \"timeouts\": {\"total_ms\": 20000}}";
  RuntimeResult rt = MakeRuntime(config);
  ASSERT_EQ(rt.status, STRATA_OK) << rt.error.message;
  FetchResult r = Get(rt.runtime.get(), "https://localhost:" + std::to_string(port) + "/");
#if defined(__SANITIZE_ADDRESS__)
  // The runtime reports a failed create() as a configuration error.
  EXPECT_LT(r.status, 0) << r.Describe();
  EXPECT_NE(std::string(r.error.message).find("calls bind to /lib/x86_64-linux-gnu/libssl.so.3 instead of BoringSSL"),
            std::string::npos)
      << r.error.message;
#else
  ASSERT_EQ(r.status, STRATA_OK) << r.Describe();
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_EQ(r.body(), "hello over TLSv1.3\n");
#endif
  SSL_CTX_free(openssl_ctx);
}

}  // namespace
}  // namespace strata::test
