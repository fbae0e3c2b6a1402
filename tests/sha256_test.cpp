#include <gtest/gtest.h>

#include <string>

#include "sha256.hpp"

namespace cubench {
namespace {

// Known answers from FIPS 180-2's examples.
TEST(sha256_hex, matches_the_standard_examples) {
  EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(sha256, hashes_pieces_as_their_concatenation) {
  sha256 hash;
  hash.update("a");
  hash.update("bc");
  EXPECT_EQ(hash.hex(), sha256_hex("abc"));
}

TEST(sha256, fields_keep_their_boundaries) {
  sha256 ab_c;
  ab_c.field("ab");
  ab_c.field("c");
  sha256 a_bc;
  a_bc.field("a");
  a_bc.field("bc");
  const std::string first = ab_c.hex();
  EXPECT_NE(first, a_bc.hex());
  EXPECT_EQ(first, sha256_hex(std::string("ab\0c\0", 5)));
}

}  // namespace
}  // namespace cubench
