// Decodes every story of hpack-test-case with one decoder per story, and
// round-trips the raw-data stories through our encoder and decoder.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "plugins/h2/engine/hpack/decoder.h"
#include "plugins/h2/engine/hpack/encoder.h"

namespace strata::h2::hpack {
namespace {

namespace fs = std::filesystem;

constexpr char kRoot[] = "plugins/h2/engine/testdata/hpack-test-case";
constexpr size_t kNoLimit = 1 << 30;

nlohmann::json Load(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

HeaderList Expected(const nlohmann::json& headers) {
  HeaderList out;
  for (const auto& h : headers) {
    for (auto it = h.begin(); it != h.end(); ++it) {
      out.push_back(HeaderField{it.key(), it.value().get<std::string>(), false});
    }
  }
  return out;
}

std::vector<fs::path> Stories(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() == ".json") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// HOSTILE 52: all hpack-test-case stories pass.
TEST(HpackTestCase, Hostile52_EveryEncoderStoryDecodes) {
  ASSERT_TRUE(fs::is_directory(kRoot)) << "missing test data " << kRoot;
  int folders = 0, stories = 0, blocks = 0;
  for (const auto& dir : fs::directory_iterator(kRoot)) {
    if (!dir.is_directory() || dir.path().filename() == "raw-data") continue;
    ++folders;
    for (const fs::path& story : Stories(dir.path())) {
      ++stories;
      nlohmann::json j = Load(story);
      Decoder d;
      for (const auto& c : j["cases"]) {
        if (c.contains("header_table_size") && !c["header_table_size"].is_null()) {
          d.SetTableSizeSetting(c["header_table_size"].get<uint32_t>());
        }
        HeaderList out;
        absl::Status st =
            d.DecodeBlock(absl::HexStringToBytes(c["wire"].get<std::string>()), kNoLimit, &out);
        ASSERT_TRUE(st.ok()) << story << " seqno " << c["seqno"] << ": " << st;
        HeaderList want = Expected(c["headers"]);
        for (HeaderField& f : out) f.never_index = false;
        ASSERT_EQ(out, want) << story << " seqno " << c["seqno"];
        ++blocks;
      }
    }
  }
  EXPECT_GE(folders, 6);
  EXPECT_GE(stories, 180);  // 32 per encoder folder (one has 31)
  RecordProperty("blocks", blocks);
}

TEST(HpackTestCase, RawDataRoundTripsThroughOurEncoder) {
  fs::path raw = fs::path(kRoot) / "raw-data";
  ASSERT_TRUE(fs::is_directory(raw));
  size_t raw_bytes = 0, wire_bytes = 0;
  for (const fs::path& story : Stories(raw)) {
    nlohmann::json j = Load(story);
    Encoder e;
    Decoder d;
    for (const auto& c : j["cases"]) {
      HeaderList want = Expected(c["headers"]);
      std::string block;
      e.EncodeBlock(want, &block);
      HeaderList out;
      absl::Status st = d.DecodeBlock(block, kNoLimit, &out);
      ASSERT_TRUE(st.ok()) << story << ": " << st;
      for (HeaderField& f : out) f.never_index = false;
      ASSERT_EQ(out, want) << story;
      for (const HeaderField& f : want) raw_bytes += f.name.size() + f.value.size();
      wire_bytes += block.size();
    }
  }
  // Compression should actually compress.
  EXPECT_LT(wire_bytes, raw_bytes / 2);
}

}  // namespace
}  // namespace strata::h2::hpack
