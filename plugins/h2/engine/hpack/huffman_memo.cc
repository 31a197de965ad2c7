#include "plugins/h2/engine/hpack/huffman_memo.h"

#include <cstring>

#include "plugins/h2/engine/hpack/huffman.h"

namespace strata::h2::hpack {

absl::Status HuffmanMemo::Decode(absl::string_view coded, size_t slot_hint, std::string* out) {
  if (coded.empty() || coded.size() > kMaxCoded) return HuffmanDecode(coded, out);
  if (!slots_) slots_ = std::make_unique<Slot[]>(kSlots);
  Slot& slot = slots_[slot_hint % kSlots];
  if (slot.coded_len == coded.size() && std::memcmp(slot.coded, coded.data(), coded.size()) == 0) {
    out->append(slot.plain, slot.plain_len);
    ++hits_;
    return absl::OkStatus();
  }
  const size_t before = out->size();
  absl::Status st = HuffmanDecode(coded, out);
  if (!st.ok()) return st;  // errors are not kept: the next try decodes again
  const size_t plain = out->size() - before;  // at most kMaxCoded * 8 / 5
  slot.coded_len = static_cast<uint8_t>(coded.size());
  slot.plain_len = static_cast<uint8_t>(plain);
  std::memcpy(slot.coded, coded.data(), coded.size());
  std::memcpy(slot.plain, out->data() + before, plain);
  return absl::OkStatus();
}

}  // namespace strata::h2::hpack
