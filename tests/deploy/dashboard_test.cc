// The Grafana dashboard of deploy/: every query names metrics that some
// Entropic process registers, parses as PromQL (checked by Prometheus's own
// promtool), and uses the provisioned data source.
#include <yaml-cpp/yaml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_replace.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace entropic {
namespace {

const std::string kSource = ENTROPIC_SOURCE_DIR;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

nlohmann::json Dashboard() {
  return nlohmann::json::parse(
      ReadFile(kSource + "/deploy/grafana/dashboards/entropic.json"));
}

// Every panel's queries, rows' panels included.
std::vector<std::string> Queries(const nlohmann::json& dashboard) {
  std::vector<std::string> queries;
  for (const nlohmann::json& panel : dashboard.at("panels")) {
    for (const nlohmann::json& target :
         panel.value("targets", nlohmann::json::array())) {
      queries.push_back(target.at("expr").get<std::string>());
    }
  }
  return queries;
}

// The metric names the processes register: the string literals of their
// metrics files, and entropic_learner_<name> for each statistic the
// learner's algorithms and reward models declare ({"name", "help"} in
// learner/algorithms/ and learner/reward_models/, learner/statistics.h).
std::set<std::string> RegisteredMetrics() {
  std::set<std::string> names;
  const std::regex literal("\"(entropic_[a-z_]+)\"");
  for (const char* file :
       {"/replay/replay_metrics.cc", "/learner/learner_metrics.cc",
        "/actor/actor_metrics.cc", "/actor/adders/replay_writer_metrics.cc"}) {
    const std::string text = ReadFile(kSource + file);
    for (auto match = std::sregex_iterator(text.begin(), text.end(), literal);
         match != std::sregex_iterator(); ++match) {
      names.insert((*match)[1]);
    }
  }
  const std::regex statistic("\\{\"([a-z][a-z0-9_]*)\",\\s*\"");
  for (const char* folder : {"/learner/algorithms", "/learner/reward_models"}) {
    for (const auto& entry :
         std::filesystem::directory_iterator(kSource + folder)) {
      if (entry.path().extension() != ".cc") continue;
      const std::string text = ReadFile(entry.path().string());
      for (auto match =
               std::sregex_iterator(text.begin(), text.end(), statistic);
           match != std::sregex_iterator(); ++match) {
        names.insert("entropic_learner_" + (*match)[1].str());
      }
    }
  }
  return names;
}

TEST(DashboardTest, QueriesOnlyMetricsTheProcessesRegister) {
  const std::set<std::string> registered = RegisteredMetrics();
  ASSERT_GT(registered.size(), 30u);
  const std::vector<std::string> queries = Queries(Dashboard());
  ASSERT_GT(queries.size(), 20u);
  const std::regex metric("entropic_[a-z_]+");
  for (const std::string& query : queries) {
    int found = 0;
    for (auto match = std::sregex_iterator(query.begin(), query.end(), metric);
         match != std::sregex_iterator(); ++match, ++found) {
      // Histograms are queried through their series.
      const std::string name = std::regex_replace(
          match->str(), std::regex("_(bucket|sum|count)$"), "");
      EXPECT_TRUE(registered.count(name)) << name << " in " << query;
    }
    EXPECT_GT(found, 0) << query;
  }
}

TEST(DashboardTest, QueriesParseAsPromQl) {
  const std::string promtool = ENTROPIC_PROMTOOL;
  if (promtool.empty()) GTEST_SKIP() << "no promtool found when configuring";
  // Grafana's variables, as Grafana would expand them.
  std::ofstream rules(::testing::TempDir() + "/dashboard_rules.yml");
  rules << "groups:\n  - name: dashboard\n    rules:\n";
  int n = 0;
  for (const std::string& query : Queries(Dashboard())) {
    const std::string expanded = absl::StrReplaceAll(
        query, {{"$__rate_interval", "1m"}, {"$job", ".*"}});
    rules << "      - record: dashboard:query_" << n++ << "\n        expr: '"
          << absl::StrReplaceAll(expanded, {{"'", "''"}}) << "'\n";
  }
  rules.close();
  const std::string command = promtool + " check rules " +
                              ::testing::TempDir() +
                              "/dashboard_rules.yml > /dev/null";
  EXPECT_EQ(std::system(command.c_str()), 0)
      << "promtool refused a query; run: " << command;
}

TEST(DashboardTest, PanelsUseTheProvisionedDataSource) {
  const YAML::Node provisioned = YAML::LoadFile(
      kSource + "/deploy/grafana/provisioning/datasources/prometheus.yml");
  const std::string uid =
      provisioned["datasources"][0]["uid"].as<std::string>();
  for (const nlohmann::json& panel : Dashboard().at("panels")) {
    if (panel.at("type") == "row") continue;
    EXPECT_EQ(panel.at("datasource").at("uid"), uid)
        << panel.at("title").get<std::string>();
  }
}

}  // namespace
}  // namespace entropic
