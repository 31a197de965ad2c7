// form_parse.h — one -F/--form or --form-string argument, read as curl
// 7.88 reads it (tool_formparse.c's grammar), without any I/O.
//
//   name=value            a text part
//   name=@file[,file...]  file parts (filename = the file's base name);
//                         several files make one multipart/mixed part
//   name=<file            a text part holding the file's content
//   "-" as file           standard input
//   ;type=a/b             the part's Content-Type (may carry parameters:
//                         "type=text/plain; charset=utf-8")
//   ;filename=NAME        the filename sent (not with <file)
//   ;headers=LINE         a header of the part; headers=@FILE reads them
//                         from FILE (read later, when the body is built)
//
// A word may be double-quoted ("a;b,c"), with \" and \\ inside; an
// unquoted word ends at ';' (or ',' between files) and loses its trailing
// spaces. --form-string takes the value literally. curl's nested
// multiparts (name=( ... =)) and ;encoder= are not supported and refused.
#ifndef STRATA_TOOLS_CLI_FORM_PARSE_H_
#define STRATA_TOOLS_CLI_FORM_PARSE_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace strata::cli {

// FormHeader is one ;headers= modifier: a header line, or a file of them.
struct FormHeader {
  bool from_file = false;
  std::string text;  // the header line, or the file's path
};

// FormPiece is one part's content and modifiers.
struct FormPiece {
  std::string data;  // the text, or the file's path ("-": stdin)
  std::optional<std::string> type;      // ;type=
  std::optional<std::string> filename;  // ;filename=
  std::vector<FormHeader> headers;      // ;headers=, in order
};

struct FormField {
  enum class Kind {
    kText,         // name=value (and --form-string)
    kFiles,        // name=@file[,file...]: one piece per file
    kFileContent,  // name=<file
  };
  Kind kind = Kind::kText;
  std::optional<std::string> name;  // none for "=value"
  std::vector<FormPiece> pieces;    // one, or one per file for kFiles
};

// ParsedForm is a parsed argument and the warnings curl prints for it
// ("skip unknown form field: x", "Trailing data after quoted form
// parameter"), in order, without the "Warning: " prefix.
struct ParsedForm {
  FormField field;
  std::vector<std::string> warnings;
};

// ParseFormArgument parses one -F argument (|literal|: --form-string).
// An error's message is curl's warning for it ("Illegally formatted input
// field!", "Illegally formatted content-type field!"), or says what is not
// supported; curl then fails with "option -F: is badly used here" (exit 2).
absl::StatusOr<ParsedForm> ParseFormArgument(absl::string_view text,
                                             bool literal);

// ParseFieldHeaders reads a ;headers=@file file as curl does: a line
// starting with '#' is a comment, a line starting with a space or tab
// continues the previous header, CRs are ignored, trailing spaces are
// dropped and a header is cut at 998 bytes (adding a warning naming
// |file| and the line to *warnings).
std::vector<std::string> ParseFieldHeaders(absl::string_view content,
                                           absl::string_view file,
                                           std::vector<std::string>* warnings);

}  // namespace strata::cli

#endif  // STRATA_TOOLS_CLI_FORM_PARSE_H_
