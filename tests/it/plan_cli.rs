//! The planning commands on the seed patterns, with exact expected waves,
//! critical paths, tracks and schedules (worked out by hand in comments).

use crate::common;

use common::TestEnv;

fn waves(env: &TestEnv, workers: &str) -> Vec<Vec<String>> {
    let plan = env.task(&["plan", "--workers", workers, "--json"]).json();
    plan["waves"]
        .as_array()
        .unwrap()
        .iter()
        .map(TestEnv::ids_of)
        .collect()
}

fn critical(env: &TestEnv) -> (Vec<String>, u64) {
    let cp = env.task(&["critical-path", "--json"]).json();
    (
        TestEnv::ids_of(&cp["path"]),
        cp["length_minutes"].as_u64().unwrap(),
    )
}

#[test]
fn migration_chain() {
    let env = TestEnv::fixture("migration");
    assert_eq!(
        waves(&env, "1"),
        [
            vec!["announce", "backup-db"],
            vec!["migrate-schema"],
            vec!["verify-data"],
            vec!["switch-traffic"]
        ]
    );
    // 2h + 1d + 4h + 1h = 900 minutes; the announcement is off the path.
    assert_eq!(
        critical(&env),
        (
            [
                "backup-db",
                "migrate-schema",
                "verify-data",
                "switch-traffic"
            ]
            .map(String::from)
            .to_vec(),
            900
        )
    );
    // Same priority: the backup has no slack and goes first although the
    // announcement was created earlier.
    assert_eq!(env.ready(), ["backup-db", "announce"]);
    // One worker does everything in turn: 900 + 30. Two finish with the path.
    let one = env.task(&["plan", "--json"]).json();
    assert_eq!(one["finish_minutes"], 930);
    let two = env.task(&["plan", "--workers", "2", "--json"]).json();
    assert_eq!(two["finish_minutes"], 900);
    let text = env.task(&["critical-path"]);
    assert_eq!(
        text.ok(),
        "critical path: 1d 7h of work in 4 tasks, done at the earliest Tue 2026-11-24 16:00\n\
         start     finish    work   task\n\
         0         2h        2h     backup-db       Back up the production database\n\
         2h        1d 2h     1d     migrate-schema  Migrate the schema to version 42\n\
         1d 2h     1d 6h     4h     verify-data     Verify row counts and checksums\n\
         1d 6h     1d 7h     1h     switch-traffic  Switch traffic to the new schema\n"
    );
}

#[test]
fn security_fan_out_under_one_epic() {
    let env = TestEnv::fixture("security");
    let tools = [
        "bandit",
        "dependency-check",
        "gitleaks",
        "semgrep",
        "trivy",
        "zap",
    ];
    assert_eq!(
        waves(&env, "1"),
        [
            tools.map(String::from).to_vec(),
            vec!["security-audit".into()],
            vec!["write-report".into()]
        ]
    );
    // zap (1d) → the epic (no work of its own) → the report (4h).
    assert_eq!(
        critical(&env),
        (
            ["zap", "security-audit", "write-report"]
                .map(String::from)
                .to_vec(),
            720
        )
    );
    // Two workers, least slack first: zap 0–8h on one; semgrep 0–4h,
    // bandit 4–7h, trivy 7–9h on the other; dependency-check 8–10h after
    // zap; gitleaks 9–10h; the epic closes at 10h; the report takes 10–14h.
    let plan = env.task(&["plan", "--workers", "2", "--json"]).json();
    assert_eq!(plan["finish_minutes"], 840);
    let slot = |id: &str| {
        let t = TestEnv::by_id(&plan["tasks"], id).clone();
        (
            t["worker"].clone(),
            t["start_minutes"].as_u64().unwrap(),
            t["end_minutes"].as_u64().unwrap(),
        )
    };
    assert_eq!(slot("zap"), (1.into(), 0, 480));
    assert_eq!(slot("semgrep"), (2.into(), 0, 240));
    assert_eq!(slot("bandit"), (2.into(), 240, 420));
    assert_eq!(slot("trivy"), (2.into(), 420, 540));
    assert_eq!(slot("dependency-check"), (1.into(), 480, 600));
    assert_eq!(slot("gitleaks"), (2.into(), 540, 600));
    assert_eq!(slot("security-audit"), (serde_json::Value::Null, 600, 600));
    assert_eq!(slot("write-report").1, 600);

    let tracks = env.task(&["tracks", "--json"]).json();
    assert_eq!(tracks["tracks"].as_array().unwrap().len(), 1);
    let track = &tracks["tracks"][0];
    assert_eq!(TestEnv::ids_of(&track["starts"]), tools);
    assert_eq!(TestEnv::ids_of(&track["ends"]), ["write-report"]);
    assert_eq!(
        track["fan_ins"],
        serde_json::json!([{ "id": "security-audit", "waits_for": 6 }])
    );
}

#[test]
fn adapters_converge_on_integration_testing() {
    let env = TestEnv::fixture("adapters");
    assert_eq!(
        waves(&env, "3"),
        [
            vec!["adapter-trait"],
            vec!["mysql-adapter", "postgres-adapter", "sqlite-adapter"],
            vec!["integration-tests"]
        ]
    );
    // 4h + 2d + 1d.
    assert_eq!(
        critical(&env),
        (
            ["adapter-trait", "postgres-adapter", "integration-tests"]
                .map(String::from)
                .to_vec(),
            1680
        )
    );
    let tracks = env.task(&["tracks", "--json"]).json();
    let track = &tracks["tracks"][0];
    assert_eq!(
        track["fan_outs"],
        serde_json::json!([{ "id": "adapter-trait", "waited_for_by": 3 }])
    );
    assert_eq!(
        track["fan_ins"],
        serde_json::json!([{ "id": "integration-tests", "waits_for": 3 }])
    );
    assert_eq!(track["length_minutes"], 1680);
    // Three workers run the adapters side by side: the plan is the path.
    let plan = env.task(&["plan", "--workers", "3", "--json"]).json();
    assert_eq!(plan["finish_minutes"], 1680);
    let timing = env.task(&["critical-path", "--json"]).json();
    let slack = |id: &str| TestEnv::by_id(&timing["tasks"], id)["slack_minutes"].clone();
    assert_eq!(slack("postgres-adapter"), 0);
    assert_eq!(slack("mysql-adapter"), 480);
    assert_eq!(slack("sqlite-adapter"), 720);
}

#[test]
fn build_test_deploy_pipeline() {
    let env = TestEnv::fixture("pipeline");
    assert_eq!(
        waves(&env, "1"),
        [
            vec!["build-linux", "build-macos"],
            vec!["build-gate"],
            vec!["test-e2e", "test-unit"],
            vec!["test-gate"],
            vec!["deploy"]
        ]
    );
    // 4h + 30m + 4h + 30m + 1h; the two test tasks tie and the path takes
    // the first by id.
    assert_eq!(
        critical(&env),
        (
            [
                "build-linux",
                "build-gate",
                "test-e2e",
                "test-gate",
                "deploy"
            ]
            .map(String::from)
            .to_vec(),
            600
        )
    );
    // Now is Saturday 2026-11-21, so work starts Monday 09:00. One worker
    // needs 17h: deploy ends Wednesday, after its due date (Tuesday).
    let one = env.task(&["plan", "--json"]).json();
    assert_eq!(one["finish_minutes"], 1020);
    assert_eq!(one["finish"], "2026-11-25T10:00:00+00:00");
    assert_eq!(
        one["late"],
        serde_json::json!([{ "id": "deploy", "due": "2026-11-24", "projected_end": "2026-11-25" }])
    );
    let text = env.task(&["plan"]);
    assert!(
        text.ok()
            .contains("projected late\n  deploy due 2026-11-24, projected 2026-11-25\n"),
        "{}",
        text.stdout
    );
    // Two workers follow the critical path: done Tuesday 11:00, on time.
    let two = env.task(&["plan", "--workers", "2", "--json"]).json();
    assert_eq!(two["finish_minutes"], 600);
    assert_eq!(two["finish"], "2026-11-24T11:00:00+00:00");
    assert_eq!(two["late"], serde_json::json!([]));
    // Finish the first stage: the waves move up.
    env.task(&["done", "build-linux"]).ok();
    env.task(&["done", "build-macos"]).ok();
    assert_eq!(waves(&env, "1")[0], ["build-gate"]);
}

#[test]
fn plan_as_a_mermaid_gantt_chart() {
    // Work that runs past 17:00 goes on at 09:00 the next working day; the
    // tests tie on slack, so the earlier-created one goes to worker 1.
    let env = TestEnv::fixture("pipeline");
    let out = env.task(&["plan", "--workers", "2", "--format", "mermaid"]);
    assert_eq!(
        out.ok(),
        "gantt\n    title Plan for 2 workers\n    dateFormat YYYY-MM-DD HH:mm\n    axisFormat %m-%d\n    excludes weekends\n    \
         section Worker 1\n    \
         Build for Linux (build-linux) :crit, t_build_linux, 2026-11-23 09:00, 2026-11-23 13:00\n    \
         Builds are green (build-gate) :crit, t_build_gate, 2026-11-23 13:00, 2026-11-23 13:30\n    \
         Unit tests (test-unit) :crit, t_test_unit, 2026-11-23 13:30, 2026-11-24 09:30\n    \
         Tests are green (test-gate) :crit, t_test_gate, 2026-11-24 09:30, 2026-11-24 10:00\n    \
         Deploy to production (deploy) :crit, t_deploy, 2026-11-24 10:00, 2026-11-24 11:00\n    \
         section Worker 2\n    \
         Build for macOS (build-macos) :t_build_macos, 2026-11-23 09:00, 2026-11-23 12:00\n    \
         End-to-end tests (test-e2e) :crit, t_test_e2e, 2026-11-23 13:30, 2026-11-24 09:30\n"
    );
}

#[test]
fn planning_refuses_a_cycle_and_names_it() {
    let env = TestEnv::new();
    env.write("a", "subject = \"A\"\nblocked_by = [\"b\"]\n");
    env.write("b", "subject = \"B\"\nblocked_by = [\"a\"]\n");
    for command in ["plan", "critical-path", "tracks"] {
        let run = env.task(&[command]);
        run.code(2);
        assert!(
            run.stderr.contains("a \"A\" → b \"B\" → a \"A\""),
            "{command}: {}",
            run.stderr
        );
        run.assert_stderr("break each cycle at one of its edges: git task dep rm a b\n");
    }
    // The command it names opens the cycle.
    env.task(&["dep", "rm", "a", "b"]).ok();
    env.task(&["plan"]).ok();
    env.task(&["dep", "add", "a", "b"]).code(1);
    env.write("a", "subject = \"A\"\nblocked_by = [\"b\"]\n");
    // ready still answers, without slack.
    assert_eq!(env.ready(), Vec::<String>::new());
}

#[test]
fn nothing_open_is_said_plainly() {
    let env = TestEnv::new();
    assert_eq!(
        env.task(&["plan"]).ok(),
        "nothing to plan: every task is resolved\n"
    );
    assert_eq!(
        env.task(&["critical-path"]).ok(),
        "no open work: every task is resolved\n"
    );
    assert_eq!(
        env.task(&["tracks"]).ok(),
        "no open work: every task is resolved\n"
    );
}
