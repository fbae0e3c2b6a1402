#include "sha256.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace cubench {
namespace {

void check(int result) {
  if (result != 1) throw std::runtime_error("SHA-256 failed");
}

}  // namespace

void sha256::context_deleter::operator()(evp_md_ctx_st* context) const { EVP_MD_CTX_free(context); }

sha256::sha256() : context_(EVP_MD_CTX_new()) {
  if (!context_) throw std::runtime_error("SHA-256 failed: no memory for its context");
  check(EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr));
}

void sha256::update(std::string_view bytes) { check(EVP_DigestUpdate(context_.get(), bytes.data(), bytes.size())); }

void sha256::field(std::string_view bytes) {
  update(bytes);
  update(std::string_view("\0", 1));
}

std::string sha256::hex() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  check(EVP_DigestFinal_ex(context_.get(), digest, &size));
  static constexpr char digits[] = "0123456789abcdef";
  std::string text;
  text.reserve(2 * size);
  for (unsigned int i = 0; i < size; ++i) {
    text += digits[digest[i] >> 4];
    text += digits[digest[i] & 15];
  }
  return text;
}

std::string sha256_hex(std::string_view bytes) {
  sha256 hash;
  hash.update(bytes);
  return hash.hex();
}

}  // namespace cubench
