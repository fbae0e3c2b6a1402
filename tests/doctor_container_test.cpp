#include <gtest/gtest.h>

#include <string>

#include "doctor_container.hpp"
#include "scratch_dir.hpp"

namespace cubench {
namespace {

using testing::scratch_dir;

const auto no_variables = [](const char*) { return std::string(); };

TEST(probe_container, a_plain_machine_is_not_a_container) {
  scratch_dir root;
  root.write("proc/1/cgroup", "0::/\n");
  const container_state state = probe_container(root.path(), no_variables);
  EXPECT_EQ(state.runtime, "");
  EXPECT_TRUE(state.evidence.empty());
}

TEST(probe_container, reads_each_marker) {
  scratch_dir docker;
  docker.write(".dockerenv", "");
  EXPECT_EQ(probe_container(docker.path(), no_variables).runtime, "docker");

  scratch_dir podman;
  podman.write("run/.containerenv", "engine=\"podman-4.9\"\n");
  EXPECT_EQ(probe_container(podman.path(), no_variables).runtime, "podman");

  scratch_dir kubernetes;
  kubernetes.write("proc/1/cgroup", "12:memory:/kubepods/burstable/pod1234/abcd\n");
  const container_state pod = probe_container(kubernetes.path(), no_variables);
  EXPECT_EQ(pod.runtime, "kubernetes");
  EXPECT_EQ(pod.evidence, std::vector<std::string>{"/proc/1/cgroup mentions kubepods"});

  scratch_dir nspawn;
  const container_state machine =
      probe_container(nspawn.path(), [](const char* name) { return std::string(name) == "container" ? "systemd-nspawn" : ""; });
  EXPECT_EQ(machine.runtime, "systemd-nspawn");
}

driver_state r535() {
  driver_state driver;
  driver.driver_version = "535.104.05";
  driver.cuda_driver_version = 12020;
  return driver;
}

version_number release(int major, int minor) { return version_number{{major, minor}}; }

TEST(container_findings, outside_a_container_there_is_one_ok) {
  const auto findings = container_findings(container_state{}, r535(), {{"toolkit /x", release(13, 0)}});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].verdict, doctor_verdict::ok);
}

TEST(container_findings, a_runtime_newer_than_the_host_driver_is_an_error) {
  container_state docker{"docker", {"/.dockerenv exists"}};
  const auto findings = container_findings(docker, r535(),
                                           {{"$CUDA_VERSION=13.0.1 (set by NVIDIA's CUDA images)", release(13, 0)},
                                            {"torch 2.5.1+cu124", release(12, 4)},
                                            {"toolkit /usr/local/cuda-11.8", release(11, 8)}});
  ASSERT_EQ(findings.size(), 4u);
  EXPECT_EQ(findings[0].summary, "inside a docker container, with the host's driver 535.104.05 visible");
  EXPECT_EQ(findings[1].subject, "CUDA 11.8 inside");
  EXPECT_EQ(findings[1].verdict, doctor_verdict::ok);
  EXPECT_EQ(findings[2].subject, "CUDA 12.4 inside");
  EXPECT_EQ(findings[2].verdict, doctor_verdict::warn) << "R535 runs 12.4 through minor-version compatibility";
  EXPECT_EQ(findings[3].subject, "CUDA 13.0 inside");
  EXPECT_EQ(findings[3].verdict, doctor_verdict::error);
  EXPECT_EQ(findings[3].details, std::vector<std::string>{"seen as $CUDA_VERSION=13.0.1 (set by NVIDIA's CUDA images)"});
  EXPECT_EQ(findings[3].fix, "Upgrade the host driver to 580.65.06 or newer, or use an image with CUDA 12.2 or older "
                             "(datacenter GPUs can instead use the image's cuda-compat package).");
}

TEST(container_findings, a_container_without_the_driver_says_how_to_pass_the_gpus_in) {
  container_state docker{"docker", {"/.dockerenv exists"}};
  driver_state none;
  none.libcuda_error = "libcuda.so.1: cannot open shared object file: No such file or directory";
  const auto findings = container_findings(docker, none, {{"toolkit /usr/local/cuda-13.0", release(13, 0)}});
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].verdict, doctor_verdict::warn);
  EXPECT_EQ(findings[0].details,
            (std::vector<std::string>{"/.dockerenv exists", "CUDA 13.0 inside: toolkit /usr/local/cuda-13.0"}));
  EXPECT_NE(findings[0].fix.find("--gpus all"), std::string::npos);
}

}  // namespace
}  // namespace cubench
