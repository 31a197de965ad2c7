#include "plugins/h2/engine/frames/frame.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace strata::h2 {
namespace {

uint32_t Read32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

void Put32(uint32_t v, std::string* out) {
  out->push_back(static_cast<char>(v >> 24));
  out->push_back(static_cast<char>(v >> 16));
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v));
}

const char* TypeName(uint8_t type) {
  static const char* const kNames[] = {"DATA",         "HEADERS", "PRIORITY",      "RST_STREAM",
                                       "SETTINGS",     "PUSH_PROMISE", "PING",     "GOAWAY",
                                       "WINDOW_UPDATE", "CONTINUATION"};
  return type <= 9 ? kNames[type] : "unknown";
}

H2Error FrameSize(const FrameHeader& h, const char* why) {
  return H2Error::Connection(ErrorCode::kFrameSizeError,
                             absl::StrCat(TypeName(h.type), " frame of ", h.length,
                                          " bytes: ", why));
}

// StripPadding removes the Pad Length byte and padding (§6.1) from
// |*payload| when PADDED is set, recording their size in *out_padding.
H2Error StripPadding(const FrameHeader& h, absl::string_view* payload, uint32_t* out_padding) {
  if (!h.has(flags::kPadded)) return H2Error::None();
  if (payload->empty()) return FrameSize(h, "PADDED without a Pad Length byte");
  const uint8_t pad = static_cast<uint8_t>((*payload)[0]);
  if (pad >= h.length) {
    return H2Error::Connection(ErrorCode::kProtocolError,
                               absl::StrCat(TypeName(h.type), " Pad Length ", pad,
                                            " is not less than the payload length ", h.length));
  }
  payload->remove_prefix(1);
  if (pad > payload->size()) {
    // Only when fixed fields (HEADERS priority, PUSH_PROMISE id) were taken
    // first; the padding then overlaps them.
    return H2Error::Connection(ErrorCode::kProtocolError,
                               absl::StrCat(TypeName(h.type), " padding exceeds the payload"));
  }
  payload->remove_suffix(pad);
  *out_padding = uint32_t{pad} + 1;
  return H2Error::None();
}

}  // namespace

FrameHeader ParseFrameHeader(const uint8_t* b) {
  FrameHeader h;
  h.length = (uint32_t{b[0]} << 16) | (uint32_t{b[1]} << 8) | b[2];
  h.type = b[3];
  h.flags = b[4];
  h.stream_id = Read32(b + 5) & 0x7fffffff;
  return h;
}

H2Error CheckFrameHeader(const FrameHeader& h, uint32_t max_frame_size) {
  if (!IsKnownFrameType(h.type)) return H2Error::None();
  const auto type = static_cast<FrameType>(h.type);
  const bool needs_stream = type == FrameType::kData || type == FrameType::kHeaders ||
                            type == FrameType::kPriority || type == FrameType::kRstStream ||
                            type == FrameType::kPushPromise || type == FrameType::kContinuation;
  const bool needs_zero = type == FrameType::kSettings || type == FrameType::kPing ||
                          type == FrameType::kGoaway;
  if (needs_stream && h.stream_id == 0) {
    return H2Error::Connection(ErrorCode::kProtocolError,
                               absl::StrCat(TypeName(h.type), " frame on stream 0"));
  }
  if (needs_zero && h.stream_id != 0) {
    return H2Error::Connection(ErrorCode::kProtocolError,
                               absl::StrCat(TypeName(h.type), " frame on stream ", h.stream_id));
  }
  if (h.length > max_frame_size) {
    // §4.2: a connection error for frames that can change connection state.
    if ((type == FrameType::kData || type == FrameType::kPriority) && h.stream_id != 0) {
      return H2Error::Stream(h.stream_id, ErrorCode::kFrameSizeError,
                             absl::StrCat(TypeName(h.type), " frame of ", h.length,
                                          " bytes exceeds our maximum frame size ",
                                          max_frame_size));
    }
    return FrameSize(h, absl::StrCat("exceeds our maximum frame size ", max_frame_size).c_str());
  }
  switch (type) {
    case FrameType::kRstStream:
      if (h.length != 4) return FrameSize(h, "RST_STREAM must be 4 bytes");
      break;
    case FrameType::kWindowUpdate:
      if (h.length != 4) return FrameSize(h, "WINDOW_UPDATE must be 4 bytes");
      break;
    case FrameType::kPing:
      if (h.length != 8) return FrameSize(h, "PING must be 8 bytes");
      break;
    case FrameType::kSettings:
      if (h.has(flags::kAck) && h.length != 0) return FrameSize(h, "SETTINGS ACK with a payload");
      if (h.length % 6 != 0) return FrameSize(h, "SETTINGS length not a multiple of 6");
      break;
    case FrameType::kGoaway:
      if (h.length < 8) return FrameSize(h, "GOAWAY shorter than 8 bytes");
      break;
    case FrameType::kPriority:
      if (h.length != 5) {
        return H2Error::Stream(h.stream_id, ErrorCode::kFrameSizeError,
                               absl::StrCat("PRIORITY frame of ", h.length, " bytes (must be 5)"));
      }
      break;
    default:
      break;
  }
  return H2Error::None();
}

H2Error DecodeFrame(const FrameHeader& h, absl::string_view payload, Frame* out) {
  *out = Frame();
  out->header = h;
  if (!IsKnownFrameType(h.type)) {
    out->known_type = false;
    out->data = payload;
    return H2Error::None();
  }
  const auto* p = reinterpret_cast<const uint8_t*>(payload.data());
  switch (static_cast<FrameType>(h.type)) {
    case FrameType::kData: {
      H2Error err = StripPadding(h, &payload, &out->padding);
      if (!err.ok()) return err;
      out->data = payload;
      break;
    }
    case FrameType::kHeaders: {
      absl::string_view rest = payload;
      if (h.has(flags::kPadded)) {
        if (rest.empty()) return FrameSize(h, "PADDED without a Pad Length byte");
      }
      // Take the Pad Length byte first, then the priority fields, then the
      // padding from the end.
      uint8_t pad = 0;
      if (h.has(flags::kPadded)) {
        pad = static_cast<uint8_t>(rest[0]);
        if (pad >= h.length) {
          return H2Error::Connection(
              ErrorCode::kProtocolError,
              absl::StrCat("HEADERS Pad Length ", pad, " is not less than the payload length ",
                           h.length));
        }
        rest.remove_prefix(1);
      }
      if (h.has(flags::kPriority)) {
        if (rest.size() < 5) return FrameSize(h, "PRIORITY flag without 5 bytes of priority");
        const auto* q = reinterpret_cast<const uint8_t*>(rest.data());
        const uint32_t dep = Read32(q);
        out->exclusive = (dep & 0x80000000u) != 0;
        out->dependency = dep & 0x7fffffff;
        out->weight = q[4];
        rest.remove_prefix(5);
      }
      if (pad > rest.size()) {
        return H2Error::Connection(ErrorCode::kProtocolError, "HEADERS padding exceeds the payload");
      }
      rest.remove_suffix(pad);
      out->padding = h.has(flags::kPadded) ? uint32_t{pad} + 1 : 0;
      out->data = rest;
      break;
    }
    case FrameType::kPriority: {
      const uint32_t dep = Read32(p);
      out->exclusive = (dep & 0x80000000u) != 0;
      out->dependency = dep & 0x7fffffff;
      out->weight = p[4];
      break;
    }
    case FrameType::kRstStream:
      out->error_code = Read32(p);
      break;
    case FrameType::kSettings:
      out->settings.reserve(h.length / 6);
      for (uint32_t i = 0; i + 6 <= h.length; i += 6) {
        out->settings.push_back(
            Setting{static_cast<uint16_t>((p[i] << 8) | p[i + 1]), Read32(p + i + 2)});
      }
      break;
    case FrameType::kPushPromise: {
      absl::string_view rest = payload;
      uint8_t pad = 0;
      if (h.has(flags::kPadded)) {
        if (rest.empty()) return FrameSize(h, "PADDED without a Pad Length byte");
        pad = static_cast<uint8_t>(rest[0]);
        if (pad >= h.length) {
          return H2Error::Connection(ErrorCode::kProtocolError,
                                     "PUSH_PROMISE Pad Length not less than the payload length");
        }
        rest.remove_prefix(1);
      }
      if (rest.size() < 4) return FrameSize(h, "PUSH_PROMISE without a promised stream id");
      out->promised_stream_id =
          Read32(reinterpret_cast<const uint8_t*>(rest.data())) & 0x7fffffff;
      rest.remove_prefix(4);
      if (pad > rest.size()) {
        return H2Error::Connection(ErrorCode::kProtocolError,
                                   "PUSH_PROMISE padding exceeds the payload");
      }
      rest.remove_suffix(pad);
      out->data = rest;
      break;
    }
    case FrameType::kPing:
      std::copy(p, p + 8, out->ping.begin());
      break;
    case FrameType::kGoaway:
      out->last_stream_id = Read32(p) & 0x7fffffff;
      out->error_code = Read32(p + 4);
      out->data = payload.substr(8);
      break;
    case FrameType::kWindowUpdate:
      out->window_increment = Read32(p) & 0x7fffffff;
      break;
    case FrameType::kContinuation:
      out->data = payload;
      break;
  }
  return H2Error::None();
}

void AppendFrameHeader(const FrameHeader& h, std::string* out) {
  out->push_back(static_cast<char>(h.length >> 16));
  out->push_back(static_cast<char>(h.length >> 8));
  out->push_back(static_cast<char>(h.length));
  out->push_back(static_cast<char>(h.type));
  out->push_back(static_cast<char>(h.flags));
  Put32(h.stream_id, out);
}

void AppendFrame(uint8_t type, uint8_t frame_flags, uint32_t stream_id,
                 absl::string_view payload, std::string* out) {
  AppendFrameHeader(FrameHeader{static_cast<uint32_t>(payload.size()), type, frame_flags,
                                stream_id},
                    out);
  out->append(payload.data(), payload.size());
}

void AppendData(uint32_t stream_id, absl::string_view data, bool end_stream, std::string* out) {
  AppendFrame(static_cast<uint8_t>(FrameType::kData), end_stream ? flags::kEndStream : 0,
              stream_id, data, out);
}

void AppendFieldBlock(uint32_t stream_id, absl::string_view block, bool end_stream,
                      uint32_t max_frame_size, std::string* out, uint32_t promised_stream_id) {
  const bool push = promised_stream_id != 0;
  const size_t first_room = push ? max_frame_size - 4 : max_frame_size;
  absl::string_view first = block.substr(0, std::min<size_t>(first_room, block.size()));
  absl::string_view rest = block.substr(first.size());
  uint8_t f = rest.empty() ? flags::kEndHeaders : 0;
  if (end_stream && !push) f |= flags::kEndStream;
  if (push) {
    std::string payload;
    Put32(promised_stream_id, &payload);
    payload.append(first.data(), first.size());
    AppendFrame(static_cast<uint8_t>(FrameType::kPushPromise), f, stream_id, payload, out);
  } else {
    AppendFrame(static_cast<uint8_t>(FrameType::kHeaders), f, stream_id, first, out);
  }
  while (!rest.empty()) {
    absl::string_view part = rest.substr(0, std::min<size_t>(max_frame_size, rest.size()));
    rest.remove_prefix(part.size());
    AppendFrame(static_cast<uint8_t>(FrameType::kContinuation),
                rest.empty() ? flags::kEndHeaders : 0, stream_id, part, out);
  }
}

void AppendPriority(uint32_t stream_id, uint32_t dependency, uint8_t weight, bool exclusive,
                    std::string* out) {
  std::string payload;
  Put32((dependency & 0x7fffffff) | (exclusive ? 0x80000000u : 0), &payload);
  payload.push_back(static_cast<char>(weight));
  AppendFrame(static_cast<uint8_t>(FrameType::kPriority), 0, stream_id, payload, out);
}

void AppendRstStream(uint32_t stream_id, uint32_t error_code, std::string* out) {
  AppendFrameHeader(FrameHeader{4, static_cast<uint8_t>(FrameType::kRstStream), 0, stream_id},
                    out);
  Put32(error_code, out);
}

std::string SettingsPayload(absl::Span<const Setting> settings) {
  std::string payload;
  for (const Setting& s : settings) {
    payload.push_back(static_cast<char>(s.id >> 8));
    payload.push_back(static_cast<char>(s.id));
    Put32(s.value, &payload);
  }
  return payload;
}

void AppendSettings(absl::Span<const Setting> settings, std::string* out) {
  AppendFrame(static_cast<uint8_t>(FrameType::kSettings), 0, 0, SettingsPayload(settings), out);
}

void AppendSettingsAck(std::string* out) {
  AppendFrame(static_cast<uint8_t>(FrameType::kSettings), flags::kAck, 0, "", out);
}

void AppendPing(bool ack, const std::array<uint8_t, 8>& opaque, std::string* out) {
  AppendFrame(static_cast<uint8_t>(FrameType::kPing), ack ? flags::kAck : 0, 0,
              absl::string_view(reinterpret_cast<const char*>(opaque.data()), 8), out);
}

void AppendGoaway(uint32_t last_stream_id, uint32_t error_code, absl::string_view debug,
                  std::string* out) {
  AppendFrameHeader(FrameHeader{static_cast<uint32_t>(8 + debug.size()),
                                static_cast<uint8_t>(FrameType::kGoaway), 0, 0},
                    out);
  Put32(last_stream_id & 0x7fffffff, out);
  Put32(error_code, out);
  out->append(debug.data(), debug.size());
}

void AppendWindowUpdate(uint32_t stream_id, uint32_t increment, std::string* out) {
  AppendFrameHeader(FrameHeader{4, static_cast<uint8_t>(FrameType::kWindowUpdate), 0, stream_id},
                    out);
  Put32(increment & 0x7fffffff, out);
}

}  // namespace strata::h2
