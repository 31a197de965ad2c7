// write-counter — a test double: a byte-stream layer that passes everything
// through and reports each send that moved bytes to the layer below as a
// trace line ("send #N: B bytes"), and each receive that brought bytes up
// ("recv #N: B bytes"). Put right above tcp, it counts the writes and the
// reads that brought bytes (EAGAIN and end of stream are not counted), so
// tests can assert batching without timing anything.
#include <cstdint>
#include <string>

#include "strata/sdk.hpp"

namespace {

class WriteCounter : public strata::sdk::ByteStreamLayer {
 public:
  WriteCounter(strata_layer_ctx* ctx, const strata_layer_config*) : ByteStreamLayer(ctx) {}

  strata_status Send(const uint8_t* d, size_t n, size_t* w) override {
    strata_status st = LowerSend(d, n, w);
    if (st == STRATA_OK && *w > 0) {
      ++sends_;
      Log(STRATA_LOG_INFO, "send #" + std::to_string(sends_) + ": " + std::to_string(*w) + " bytes");
    }
    return st;
  }

  strata_status Recv(uint8_t* buf, size_t cap, size_t* out_read) override {
    strata_status st = LowerRecv(buf, cap, out_read);
    if (st == STRATA_OK && *out_read > 0) {
      ++recvs_;
      Log(STRATA_LOG_INFO, "recv #" + std::to_string(recvs_) + ": " + std::to_string(*out_read) + " bytes");
    }
    return st;
  }

 private:
  uint64_t sends_ = 0;
  uint64_t recvs_ = 0;
};

}  // namespace

STRATA_SDK_PLUGIN("write-counter", "0.1.0",
                  strata::sdk::StreamLayerType<WriteCounter>("write-counter",
                                                             "test double: counts sends to the layer below", 0))
