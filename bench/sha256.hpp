// SHA-256 over OpenSSL libcrypto's EVP interface: suite hashes in run manifests, runner build-cache keys.
#pragma once

#include <memory>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace cubench {

/// An incremental SHA-256; throws std::runtime_error when libcrypto fails.
class sha256 {
 public:
  /// Starts an empty hash.
  sha256();
  /// Adds bytes.
  void update(std::string_view bytes);
  /// Adds bytes and a terminating NUL, so that the fields "ab", "c" and "a", "bc" hash differently.
  void field(std::string_view bytes);
  /// The lowercase hex digest of everything added; the hash is finished after it.
  std::string hex();

 private:
  struct context_deleter {
    void operator()(evp_md_ctx_st* context) const;
  };
  std::unique_ptr<evp_md_ctx_st, context_deleter> context_;
};

/// Lowercase hex SHA-256 of a byte string.
std::string sha256_hex(std::string_view bytes);

}  // namespace cubench
