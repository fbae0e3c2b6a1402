// `bench plan`: the CI matrix of a sharded run, one entry per `bench run --shard i/N`.
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "commands.hpp"

namespace cubench {

void register_plan_command(CLI::App& app) {
  auto* command = app.add_subcommand("plan", "Print a CI matrix (JSON) of N shards for `bench run --shard i/N`");
  struct settings {
    std::string toolkits;
    int shards = 1;
    std::string suite = "nightly";
  };
  auto s = std::make_shared<settings>();
  command->add_option("--toolkits", s->toolkits, "Comma-separated releases, as for bench run")->required();
  command->add_option("--shards", s->shards, "Number of shards")->check(CLI::Range(1, 256))->capture_default_str();
  command->add_option("--suite", s->suite, "Suite, as for bench run")->capture_default_str();
  command->callback([s] {
    if (s->toolkits.find_first_not_of(",") == std::string::npos) {
      std::cerr << "bench plan: --toolkits: expected one or more releases such as 11.8,12.4, found none\n";
      throw command_exit{exit_usage_error};
    }
    nlohmann::json include = nlohmann::json::array();
    for (int i = 1; i <= s->shards; ++i)
      include.push_back({{"shard", std::to_string(i) + "/" + std::to_string(s->shards)},
                         {"name", "shard-" + std::to_string(i) + "-of-" + std::to_string(s->shards)},
                         {"toolkits", s->toolkits},
                         {"suite", s->suite}});
    std::cout << nlohmann::json{{"include", include}}.dump() << "\n";
  });
}

}  // namespace cubench
