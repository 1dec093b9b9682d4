//! parse -> checks -> split -> plan on arbitrary input: a config and a spec, split at the
//! first NUL byte. Nothing may panic, and the plan's new config must parse and split to
//! itself again (the split is idempotent).
#![no_main]

use interlock_split::interlock::InterlockConfig;
use interlock_split::plan::{self, Source, SourceKind};
use interlock_split::{check, spec, split};
use libfuzzer_sys::fuzz_target;

const EXISTING: &[&str] = &[
    "com.docker.ucp.interlock.conf-1",
    "com.docker.ucp.interlock.conf-18446744073709551615",
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (current, spec_text) = text.split_once('\0').unwrap_or((text, "[clusters.dev]\n"));
    if let Ok((_, cfg)) = InterlockConfig::parse(current) {
        let _ = check::config(&cfg);
    }
    let Ok(spec) = spec::parse("spec.toml", spec_text) else {
        return;
    };
    let existing: Vec<String> = EXISTING.iter().map(|s| s.to_string()).collect();
    let config_name = current.lines().next().map(|l| l.trim().to_string());
    let inputs = plan::Inputs {
        current,
        source: Source {
            kind: SourceKind::File,
            path: Some("current.toml".into()),
            config_name,
        },
        spec: &spec,
        spec_text,
        existing_configs: &existing,
        snapshot: None,
        keep_configs: 5,
    };
    if let Ok(p) = plan::build(&inputs) {
        let again = split::split(&p.new_config, &spec).expect("the new config splits again");
        assert_eq!(again.text, p.new_config, "the split is idempotent");
    }
});
