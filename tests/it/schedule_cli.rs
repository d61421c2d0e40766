//! Issue 10's planning answers: the calendar starts now in the local zone,
//! one rule for total work, gates as checkpoints, waived gates release
//! what waits for them, the order among ready tasks, overdue flags.

use crate::common;

use common::TestEnv;

/// A repository whose clock reads Friday 2026-11-20 16:30 UTC.
fn friday_afternoon() -> TestEnv {
    let mut env = TestEnv::new();
    env.at("2026-11-20T16:30:00Z");
    env
}

fn earliest(env: &TestEnv, vars: &[(&str, &str)], args: &[&str]) -> String {
    let mut all = vec!["critical-path"];
    all.extend_from_slice(args);
    let out = env.task_with_env(vars, &all);
    let text = out.ok();
    let line = text.lines().next().unwrap_or_default();
    line.split("done at the earliest ")
        .nth(1)
        .unwrap_or_else(|| panic!("no date in {text}"))
        .to_string()
}

#[test]
fn the_schedule_starts_now_within_working_hours() {
    let env = friday_afternoon();
    env.add(&["Short", "--id", "short", "--estimate", "30m"]);
    // 16:30 + 30m ends the working day: 17:00 today, not 09:30.
    assert_eq!(earliest(&env, &[], &[]), "Fri 2026-11-20 17:00");
    // What follows it starts the next working day.
    env.add(&[
        "Next",
        "--id",
        "next",
        "--estimate",
        "30m",
        "--after",
        "short",
    ]);
    assert_eq!(earliest(&env, &[], &[]), "Mon 2026-11-23 09:30");
    let plan = env.task(&["plan", "--json"]).json();
    let task = |id: &str| TestEnv::by_id(&plan["tasks"], id).clone();
    assert_eq!(task("short")["start"], "2026-11-20T16:30:00+00:00");
    assert_eq!(task("short")["end"], "2026-11-20T17:00:00+00:00");
    assert_eq!(task("next")["start"], "2026-11-23T09:00:00+00:00");
    assert_eq!(plan["finish"], "2026-11-23T09:30:00+00:00");
    // After the working day, work starts at 09:00 the next one; before
    // it, at 09:00 the same day.
    let mut env = env;
    env.at("2026-11-19T18:00:00Z");
    assert_eq!(earliest(&env, &[], &[]), "Fri 2026-11-20 10:00");
    env.at("2026-11-19T07:00:00Z");
    assert_eq!(earliest(&env, &[], &[]), "Thu 2026-11-19 10:00");
}

#[test]
fn the_time_zone_decides_the_day_and_the_offset() {
    let env = friday_afternoon();
    env.add(&["Short", "--id", "short", "--estimate", "30m"]);
    // The same instant is Saturday 06:30 in Kiritimati (UTC+14) and
    // Friday 05:30 in Pago Pago (UTC-11).
    assert_eq!(
        earliest(&env, &[("TZ", "Pacific/Kiritimati")], &[]),
        "Mon 2026-11-23 09:30"
    );
    assert_eq!(
        earliest(&env, &[("TZ", "Pacific/Pago_Pago")], &[]),
        "Fri 2026-11-20 09:30"
    );
    let json = env
        .task_with_env(&[("TZ", "Pacific/Kiritimati")], &["plan", "--json"])
        .json();
    assert_eq!(json["finish"], "2026-11-23T09:30:00+14:00");
    assert_eq!(json["tasks"][0]["start"], "2026-11-23T09:00:00+14:00");
    // --tz wins over TZ: an IANA name, an offset, UTC.
    assert_eq!(
        earliest(
            &env,
            &[("TZ", "Pacific/Kiritimati")],
            &["--tz", "Pacific/Pago_Pago"]
        ),
        "Fri 2026-11-20 09:30"
    );
    let json = env
        .task_with_env(
            &[("TZ", "Pacific/Kiritimati")],
            &["plan", "--json", "--tz", "+05:30"],
        )
        .json();
    // 16:30 UTC is 22:00 at +05:30: work starts Monday.
    assert_eq!(json["finish"], "2026-11-23T09:30:00+05:30");
    let json = env
        .task_with_env(
            &[("TZ", "Pacific/Kiritimati")],
            &["plan", "--json", "--tz", "UTC"],
        )
        .json();
    assert_eq!(json["finish"], "2026-11-20T17:00:00+00:00");
    let cp = env
        .task(&["critical-path", "--json", "--tz", "Europe/Berlin"])
        .json();
    // 17:30 in Berlin: after the working day.
    assert_eq!(cp["finish"], "2026-11-23T09:30:00+01:00");
}

#[test]
fn an_unknown_zone_is_refused() {
    let env = friday_afternoon();
    env.add(&["Short", "--id", "short", "--estimate", "30m"]);
    for zone in ["Mars/Olympus_Mons", "+25:00", "../../etc/passwd"] {
        let run = env.task(&["plan", "--tz", zone]);
        run.code(2);
        assert!(run.stderr.contains("time zone"), "{zone}: {}", run.stderr);
        assert!(run.stdout.is_empty());
    }
    let run = env.task(&["plan", "--tz", "Mars/Olympus_Mons"]);
    assert!(
        run.stderr.contains(
            "unknown time zone `Mars/Olympus_Mons`: give an IANA name such as Europe/Berlin"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn status_and_plan_count_the_same_work() {
    // A parent's own estimate is work of its own, after its children's:
    // 4h + 1d + 6h = 2d 2h, counted once by both.
    let env = TestEnv::new();
    env.add(&["Epic", "--id", "epic", "--kind", "epic", "--estimate", "4h"]);
    env.add(&["One", "--id", "one", "--parent", "epic", "--estimate", "1d"]);
    env.add(&["Two", "--id", "two", "--parent", "epic", "--estimate", "6h"]);
    let status = env.task(&["status"]);
    assert!(status.ok().contains("0 of 2d 2h"), "{}", status.stdout);
    let plan = env.task(&["plan"]);
    assert!(
        plan.ok().starts_with("3 open tasks, 2d 2h of work;"),
        "{}",
        plan.stdout
    );
    let json = env.task(&["status", "--json"]).json();
    assert_eq!(json["progress"]["overall"]["total_minutes"], 1080);
    assert_eq!(json["progress"]["epics"][0]["total_minutes"], 1080);
    let cp = env.task(&["critical-path", "--json"]).json();
    // The parent's 4h after its longest child.
    assert_eq!(cp["length_minutes"], 480 + 240);
    // Completing a child moves work from to-do to done in status and out
    // of the plan.
    env.done("one");
    assert!(env.task(&["status"]).ok().contains("1d of 2d 2h"));
    assert!(
        env.task(&["plan"])
            .ok()
            .starts_with("2 open tasks, 1d 2h of work;")
    );
    env.done("two");
    assert!(
        env.task(&["plan"])
            .ok()
            .starts_with("1 open task, 4h of work;")
    );
}

#[test]
fn a_time_zone_name_nobody_knows_is_pointed_out() {
    let env = TestEnv::new();
    env.add(&["Build", "--id", "build", "-e", "1h"]);
    let warning = "warning: TZ=Europe/Berlni names no time zone this system knows, so dates \
                   are in UTC; set TZ to a name under /usr/share/zoneinfo, such as Europe/Berlin\n";
    let bad = [("TZ", "Europe/Berlni")];
    // Once per run, from the commands that use the local zone.
    for args in [&["plan"][..], &["list"], &["status"], &["show", "build"]] {
        let run = env.task_with_env(&bad, args);
        run.ok();
        assert_eq!(
            run.stderr.matches(warning).count(),
            1,
            "{args:?}: {}",
            run.stderr
        );
    }
    // Not from those that do not, nor when --tz says which zone to use.
    for args in [
        &["hook", "pre-commit"][..],
        &["check"],
        &["plan", "--tz", "UTC"],
    ] {
        let run = env.task_with_env(&bad, args);
        run.ok();
        assert!(
            !run.stderr.contains("names no time zone"),
            "{args:?}: {}",
            run.stderr
        );
    }
    // Known names, POSIX rules and paths are not second-guessed.
    for tz in ["UTC", "EST5EDT", ":/etc/localtime", "<+03>-3"] {
        let run = env.task_with_env(&[("TZ", tz)], &["plan"]);
        assert!(
            !run.stderr.contains("names no time zone"),
            "{tz}: {}",
            run.stderr
        );
    }
    if std::path::Path::new("/usr/share/zoneinfo/Europe/Berlin").exists() {
        let run = env.task_with_env(&[("TZ", "Europe/Berlin")], &["plan"]);
        assert!(!run.stderr.contains("names no time zone"), "{}", run.stderr);
    }
}

/// build (4h) → gate → test (2h) → gate (0m) → deploy (1h) → gate.
fn gated_pipeline() -> TestEnv {
    let env = TestEnv::new();
    env.add(&["Build", "--id", "build", "--estimate", "4h"]);
    env.add(&[
        "Builds pass",
        "--id",
        "build-gate",
        "--gate",
        "--after",
        "build",
    ]);
    env.add(&[
        "Test",
        "--id",
        "test",
        "--estimate",
        "2h",
        "--after",
        "build-gate",
    ]);
    env.add(&[
        "Tests pass",
        "--id",
        "test-gate",
        "--gate",
        "--estimate",
        "0m",
        "--after",
        "test",
    ]);
    env.add(&[
        "Deploy",
        "--id",
        "deploy",
        "--estimate",
        "1h",
        "--after",
        "test-gate",
    ]);
    env.add(&[
        "Released",
        "--id",
        "release-gate",
        "--gate",
        "--after",
        "deploy",
    ]);
    env
}

#[test]
fn gates_are_checkpoints_without_work_on_the_critical_path() {
    let env = gated_pipeline();
    let cp = env.task(&["critical-path", "--json"]).json();
    assert_eq!(cp["length_minutes"], 420);
    assert_eq!(
        TestEnv::ids_of(&cp["path"]),
        [
            "build",
            "build-gate",
            "test",
            "test-gate",
            "deploy",
            "release-gate"
        ]
    );
    for gate in cp["path"].as_array().unwrap().iter().skip(1).step_by(2) {
        assert_eq!(gate["work_minutes"], 0, "{gate}");
        assert_eq!(gate["unestimated"], false, "{gate}");
        assert_eq!(gate["slack_minutes"], 0, "{gate}");
    }
    let text = env.task(&["critical-path"]);
    assert!(
        !text.ok().contains('*'),
        "no gate is unestimated: {}",
        text.stdout
    );
    let plan = env.task(&["plan"]);
    let out = plan.ok();
    assert!(
        out.starts_with("6 open tasks, 7h of work; with 1 worker done after 7h"),
        "{out}"
    );
    assert!(!out.contains("unestimated"), "{out}");
    // Gates are milestones of the schedule, on the critical path.
    assert!(
        out.contains("-       4h        4h        build-gate    Builds pass [critical]\n"),
        "{out}"
    );
    assert!(
        out.contains("-       7h        7h        release-gate  Released [critical]\n"),
        "{out}"
    );
    assert!(env.task(&["status"]).ok().contains("0 of 7h"));
    let tracks = env.task(&["tracks"]);
    assert!(
        tracks
            .ok()
            .starts_with("track 1: 6 tasks, 7h of work, 7h long\n")
    );
}

#[test]
fn a_waived_gate_releases_what_waits_for_it() {
    let env = gated_pipeline();
    env.done("build");
    // The gate is red (pending): test waits for it.
    assert_eq!(env.ready(), ["build-gate"]);
    env.task(&[
        "gate",
        "waive",
        "build-gate",
        "--reason",
        "the build farm is down; artifacts were checked by hand",
    ])
    .ok();
    // Yellow: test is ready, and the gate itself is still open work.
    assert_eq!(env.ready(), ["test", "build-gate"]);
    let blocked = env.task(&["blocked", "--json"]).json();
    assert!(
        !TestEnv::ids_of(&blocked["tasks"]).contains(&"test".to_string()),
        "{blocked}"
    );
    let show = env.task(&["show", "test", "--json"]).json();
    assert_eq!(show["task"]["ready"], true, "{show}");
    let plan = env.task(&["plan", "--json"]).json();
    assert_eq!(
        TestEnv::ids_of(&plan["waves"][0]),
        ["build-gate", "test"],
        "{plan}"
    );
    let status = env.task(&["status", "--json"]).json();
    assert!(
        TestEnv::ids_of(&status["ready"]).contains(&"test".to_string()),
        "{status}"
    );
    let cp = env.task(&["critical-path", "--json"]).json();
    assert_eq!(
        TestEnv::ids_of(&cp["path"]),
        ["test", "test-gate", "deploy", "release-gate"]
    );
    // `done` does not refuse what the waived gate held.
    env.task(&["start", "test"]).ok();
    env.task(&["done", "test"]).ok();
    let tracks = env.task(&["tracks", "--json"]).json();
    assert_eq!(tracks["tracks"].as_array().unwrap().len(), 2, "{tracks}");
}

#[test]
fn ready_work_goes_by_priority_then_due_date_then_slack() {
    // Monday 2026-11-23 09:00. `long` is the critical path (2d, no slack);
    // `urgent` (1h, critical priority) and `dated` (1h, due today) have
    // slack. Least slack first would do `long` first and make both late.
    let mut env = TestEnv::new();
    env.at("2026-11-23T09:00:00Z");
    env.add(&["Long", "--id", "long", "--estimate", "2d"]);
    env.add(&[
        "Dated",
        "--id",
        "dated",
        "--estimate",
        "1h",
        "--due",
        "2026-11-23",
    ]);
    env.add(&[
        "Urgent",
        "--id",
        "urgent",
        "--estimate",
        "1h",
        "--priority",
        "critical",
        "--due",
        "2026-11-23",
    ]);
    assert_eq!(env.ready(), ["urgent", "dated", "long"]);
    let plan = env.task(&["plan", "--json"]).json();
    let slot = |id: &str| {
        let t = TestEnv::by_id(&plan["tasks"], id).clone();
        (t["start_minutes"].as_u64().unwrap(), t["late"].clone())
    };
    assert_eq!(slot("urgent"), (0, false.into()));
    assert_eq!(slot("dated"), (60, false.into()));
    assert_eq!(slot("long"), (120, false.into()));
    assert_eq!(plan["late"], serde_json::json!([]));
    let text = env.task(&["plan"]);
    assert!(
        text.ok()
            .contains("1       0         1h        urgent  Urgent\n1       1h        2h        dated   Dated\n"),
        "{}",
        text.stdout
    );
    // Of equal priority and no due date, less slack goes first, whatever
    // the ids: `zz-first` holds up 3d of work after it, `aa-short` nothing.
    env.add(&["Short", "--id", "aa-short", "--estimate", "1h", "-p", "low"]);
    env.add(&["First", "--id", "zz-first", "--estimate", "1h", "-p", "low"]);
    env.add(&[
        "After",
        "--id",
        "zz-after",
        "--estimate",
        "3d",
        "-p",
        "low",
        "--after",
        "zz-first",
    ]);
    assert_eq!(
        env.ready(),
        ["urgent", "dated", "long", "zz-first", "aa-short"]
    );
    // The help says the same order.
    let help = env.task(&["help", "ready"]);
    assert!(
        help.ok()
            .contains("most urgent first (priority, then due date, then"),
        "{}",
        help.stdout
    );
}

#[test]
fn tasks_due_before_today_are_flagged_overdue() {
    // Friday 2026-11-20 16:30 UTC.
    let env = friday_afternoon();
    env.add(&["Late", "--id", "late", "--due", "2026-11-19"]);
    env.add(&["Due today", "--id", "today", "--due", "2026-11-20"]);
    env.add(&["Done late", "--id", "finished", "--due", "2026-11-01"]);
    env.add(&["Undated", "--id", "undated"]);
    env.done("finished");
    let list = env.task(&["list", "--all"]);
    assert_eq!(
        list.ok(),
        "finished  completed   medium   task    Done late\n\
         late      pending     medium   task    Late [overdue]\n\
         today     pending     medium   task    Due today\n\
         undated   pending     medium   task    Undated\n"
    );
    let json = env.task(&["list", "--all", "--json"]).json();
    let flags: Vec<(String, bool)> = json["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["id"].as_str().unwrap().to_string(),
                t["overdue"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        flags,
        [
            ("finished".to_string(), false),
            ("late".to_string(), true),
            ("today".to_string(), false),
            ("undated".to_string(), false)
        ]
    );
    // ready and blocked mark it too; and a change's answer carries the key.
    env.add(&[
        "After",
        "--id",
        "after",
        "--after",
        "undated",
        "--due",
        "2026-11-02",
    ]);
    assert!(env.task(&["ready"]).ok().contains("Late [overdue]\n"));
    assert!(
        env.task(&["blocked"])
            .ok()
            .starts_with("after  After [overdue]\n")
    );
    let added = env
        .task(&["--json", "edit", "late", "--priority", "high"])
        .json();
    assert_eq!(added["task"]["overdue"], true);
    env.task(&["rm", "after"]).ok();
    let show = env.task(&["show", "late"]);
    assert!(
        show.ok().contains("due         2026-11-19 (overdue)\n"),
        "{}",
        show.stdout
    );
    assert_eq!(
        env.task(&["show", "late", "--json"]).json()["task"]["overdue"],
        true
    );
    let status = env.task(&["status"]);
    assert!(
        status
            .ok()
            .contains("\nOverdue\n  late  due 2026-11-19  Late\n"),
        "{}",
        status.stdout
    );
    let json = env.task(&["status", "--json"]).json();
    assert_eq!(json["counts"]["overdue"], 1);
    assert_eq!(
        json["overdue"],
        serde_json::json!([{ "id": "late", "subject": "Late", "due": "2026-11-19" }])
    );
    // It is already Saturday in Kiritimati: what is due on Friday is late.
    let list = env.task_with_env(&[("TZ", "Pacific/Kiritimati")], &["list"]);
    assert!(
        list.ok()
            .contains("today    pending     medium   task    Due today [overdue]\n"),
        "{}",
        list.stdout
    );
    // Nothing overdue, no section.
    let mut env = env;
    env.at("2026-11-19T12:00:00Z");
    assert!(!env.task(&["status"]).ok().contains("Overdue"));
}
