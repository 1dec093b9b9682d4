
use builtin;
use str;

set edit:completion:arg-completer[interlock-split] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'interlock-split'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'interlock-split'= {
            cand --color 'When to colour output. `auto` colours a terminal unless NO_COLOR is set'
            cand -q 'Print only the product (plan, TOML, JSON) and errors'
            cand --quiet 'Print only the product (plan, TOML, JSON) and errors'
            cand -v 'Print more about what is being done'
            cand --verbose 'Print more about what is being done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand plan 'Show the new config, the findings, and what apply would do. Changes nothing'
            cand render 'Print the new Interlock config (TOML) on stdout'
            cand validate 'Check an Interlock config: syntax, ports, names, constraints, required keys'
            cand apply 'Do what the plan says: upload the versioned config, roll ucp-interlock with rollback, wait for Interlock''s services, retire stale ones, prune old configs'
            cand rollback 'Point ucp-interlock back at the previous (or a named) Interlock config'
            cand status 'Show each service cluster''s services, replicas, ports and nodes, stale services, and the history of Interlock configs, with problems flagged'
            cand history 'List every Interlock config: when and by whom it was applied, with which plan, what became of it, which one is in use and which one rollback would pick; or diff two'
            cand verify 'Ask every application host over HTTP at its cluster''s proxy (which must answer it) and at every other cluster''s proxy (which must answer 503)'
            cand init 'Write a commented starter spec, and the JSON Schema editors complete it from'
            cand completions 'Print a shell completion script'
            cand schema 'Print the JSON Schema of the spec (interlock-split.toml), for editors'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'interlock-split;plan'= {
            cand --current 'Plan from this Interlock config (TOML) instead of the cluster''s, offline'
            cand --bundle 'A UCP/MKE client bundle: the zip as downloaded, or its unzipped folder'
            cand --host 'The Docker API endpoint, e.g. tcp://ucp.example.com:443'
            cand --tls-ca 'CA certificate that signed the server''s certificate (with --host)'
            cand --tls-cert 'Client certificate (with --host)'
            cand --tls-key 'Client private key (with --host)'
            cand --context 'A docker CLI context (also DOCKER_CONTEXT)'
            cand --timeout 'Seconds to wait for each API request'
            cand --out 'Save the plan, with a fingerprint of what it was computed from, for apply'
            cand --keep-configs 'Interlock configs to keep; older ones are pruned (never the one in use or the one before)'
            cand --spec 'The spec declaring the service clusters'
            cand --config-name 'The name of the Docker config FILE came from (e.g. com.docker.ucp.interlock.conf-1), to name the next version in the plan'
            cand --output 'Output format'
            cand --color 'When to colour output. `auto` colours a terminal unless NO_COLOR is set'
            cand --detailed-exitcode 'Exit 2 when the plan has changes (0: none, 1: error)'
            cand -q 'Print only the product (plan, TOML, JSON) and errors'
            cand --quiet 'Print only the product (plan, TOML, JSON) and errors'
            cand -v 'Print more about what is being done'
            cand --verbose 'Print more about what is being done'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'interlock-split;render'= {
            cand --current 'The current Interlock config (TOML)'
            cand --spec 'The spec declaring the service clusters'
            cand --color 'When to colour output. `auto` colours a terminal unless NO_COLOR is set'
            cand -q 'Print only the product (plan, TOML, JSON) and errors'
            cand --quiet 'Print only the product (plan, TOML, JSON) and errors'
            cand -v 'Print more about what is being done'
            cand --verbose 'Print more about what is being done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'interlock-split;validate'= {
            cand --output 'Output format'
            cand --color 'When to colour output. `auto` colours a terminal unless NO_COLOR is set'
            cand -q 'Print only the product (plan, TOML, JSON) and errors'
            cand --quiet 'Print only the product (plan, TOML, JSON) and errors'
            cand -v 'Print more about what is being done'
            cand --verbose 'Print more about what is being done'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'interlock-split;apply'= {
            cand --spec 'The spec declaring the service clusters'
            cand --bundle 'A UCP/MKE client bundle: the zip as downloaded, or its unzipped folder'
            cand --host 'The Docker API endpoint, e.g. tcp://ucp.example.com:443'
            cand --tls-ca 'CA certificate that signed the server''s certificate (with --host)'
            cand --tls-cert 'Client certificate (with --host)'
            cand --tls-key 'Client private key (with --host)'
            cand --context 'A docker CLI context (also DOCKER_CONTEXT)'
            cand --timeout 'Seconds to wait for each API request'
            cand --keep-configs 'Interlock configs to keep; older ones are pruned (never the one in use or the one before)'
            cand --wait-timeout 'Seconds to wait for an update to converge, or for Interlock to create a service'
            cand --backup-dir 'Where the backup of the current TOML goes'
            cand --output 'Output format of the result'
            cand --color 'When to colour output. `auto` colours a terminal unless NO_COLOR is set'
            cand --auto-approve 'Apply without asking (needed without a terminal, unless a saved plan is applied)'
            cand --no-cleanup 'Keep the stale services that do not hold a port a new proxy needs'
            cand --no-reconcile 'Leave existing proxies whose constraints, replicas or ports differ from the config (by default they are updated in place)'
            cand -q 'Print only the product (plan, TOML, JSON) and errors'
            cand --quiet 'Print only the product (plan, TOML, JSON) and errors'
            cand -v 'Print more about what is being done'
            cand --verbose 'Print more about what is being done'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'interlock-split;rollback'= {
            cand --to 'The config to go back to (default: the version before the one in use)'
            cand --bundle 'A UCP/MKE client bundle: the zip as downloaded, or its unzipped folder'
            cand --host 'The Docker API endpoint, e.g. tcp://ucp.example.com:443'
            cand --tls-ca 'CA certificate that signed the server''s certificate (with --host)'
            cand --tls-cert 'Client certificate (with --host)'
            cand --tls-key 'Client private key (with --host)'
            cand --context 'A docker CLI context (also DOCKER_CONTEXT)'
            cand --timeout 'Seconds to wait for each API request'
            cand --wait-timeout 'Seconds to wait for the update to converge'
            cand --output 'Output format of the result'
            cand --color 'When to colour output. `auto` colours a terminal unless NO_COLOR is set'
            cand --auto-approve 'Roll back without asking'
            cand -q 'Print only the product (plan, TOML, JSON) and errors'
            cand --quiet 'Print only the product (plan, TOML, JSON) and errors'
            cand -v 'Print more about what is being done'
            cand --verbose 'Print more about what is being done'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'interlock-split;status'= {
            cand --bundle 'A UCP/MKE client bundle: the zip as downloaded, or its unzipped folder'
            cand --host 'The Docker API endpoint, e.g. tcp://ucp.example.com:443'
            cand --tls-ca 'CA certificate that signed the server''s certificate (with --host)'
            cand --tls-cert 'Client certificate (with --host)'
            cand --tls-key 'Client private key (with --host)'
            cand --context 'A docker CLI context (also DOCKER_CONTEXT)'
            cand --timeout 'Seconds to wait for each API request'
            cand --output 'Output format'
            cand --color 'When to colour output. `auto` colours a terminal unless NO_COLOR is set'
            cand -q 'Print only the product (plan, TOML, JSON) and errors'
            cand --quiet 'Print only the product (plan, TOML, JSON) and errors'
            cand -v 'Print more about what is being done'
            cand --verbose 'Print more about what is being done'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'interlock-split;history'= {
            cand --bundle 'A UCP/MKE client bundle: the zip as downloaded, or its unzipped folder'
            cand --host 'The Docker API endpoint, e.g. tcp://ucp.example.com:443'
            cand --tls-ca 'CA certificate that signed the server''s certificate (with --host)'
            cand --tls-cert 'Client certificate (with --host)'
            cand --tls-key 'Client private key (with --host)'
            cand --context 'A docker CLI context (also DOCKER_CONTEXT)'
            cand --timeout 'Seconds to wait for each API request'
            cand --diff 'Print the TOML diff (secrets masked) between two versions (a number or a config name); without values, the config in use against its predecessor'
            cand --output 'Output format'
            cand --color 'When to colour output. `auto` colours a terminal unless NO_COLOR is set'
            cand -q 'Print only the product (plan, TOML, JSON) and errors'
            cand --quiet 'Print only the product (plan, TOML, JSON) and errors'
            cand -v 'Print more about what is being done'
            cand --verbose 'Print more about what is being done'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'interlock-split;verify'= {
            cand --bundle 'A UCP/MKE client bundle: the zip as downloaded, or its unzipped folder'
            cand --host 'The Docker API endpoint, e.g. tcp://ucp.example.com:443'
            cand --tls-ca 'CA certificate that signed the server''s certificate (with --host)'
            cand --tls-cert 'Client certificate (with --host)'
            cand --tls-key 'Client private key (with --host)'
            cand --context 'A docker CLI context (also DOCKER_CONTEXT)'
            cand --timeout 'Seconds to wait for each API request'
            cand --concurrency 'How many requests may be under way at once'
            cand --request-timeout 'Seconds each request may take'
            cand --ingress-nodes 'In ingress mode, how many nodes a proxy is asked on'
            cand --output 'Output format'
            cand --color 'When to colour output. `auto` colours a terminal unless NO_COLOR is set'
            cand -q 'Print only the product (plan, TOML, JSON) and errors'
            cand --quiet 'Print only the product (plan, TOML, JSON) and errors'
            cand -v 'Print more about what is being done'
            cand --verbose 'Print more about what is being done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'interlock-split;init'= {
            cand --template 'Which starter to write'
            cand --color 'When to colour output. `auto` colours a terminal unless NO_COLOR is set'
            cand --list 'List the starters and exit'
            cand --force 'Overwrite PATH if it exists'
            cand -q 'Print only the product (plan, TOML, JSON) and errors'
            cand --quiet 'Print only the product (plan, TOML, JSON) and errors'
            cand -v 'Print more about what is being done'
            cand --verbose 'Print more about what is being done'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'interlock-split;completions'= {
            cand --color 'When to colour output. `auto` colours a terminal unless NO_COLOR is set'
            cand -q 'Print only the product (plan, TOML, JSON) and errors'
            cand --quiet 'Print only the product (plan, TOML, JSON) and errors'
            cand -v 'Print more about what is being done'
            cand --verbose 'Print more about what is being done'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'interlock-split;schema'= {
            cand --color 'When to colour output. `auto` colours a terminal unless NO_COLOR is set'
            cand -q 'Print only the product (plan, TOML, JSON) and errors'
            cand --quiet 'Print only the product (plan, TOML, JSON) and errors'
            cand -v 'Print more about what is being done'
            cand --verbose 'Print more about what is being done'
            cand -h 'Print help'
            cand --help 'Print help'
            cand -V 'Print version'
            cand --version 'Print version'
        }
        &'interlock-split;help'= {
            cand plan 'Show the new config, the findings, and what apply would do. Changes nothing'
            cand render 'Print the new Interlock config (TOML) on stdout'
            cand validate 'Check an Interlock config: syntax, ports, names, constraints, required keys'
            cand apply 'Do what the plan says: upload the versioned config, roll ucp-interlock with rollback, wait for Interlock''s services, retire stale ones, prune old configs'
            cand rollback 'Point ucp-interlock back at the previous (or a named) Interlock config'
            cand status 'Show each service cluster''s services, replicas, ports and nodes, stale services, and the history of Interlock configs, with problems flagged'
            cand history 'List every Interlock config: when and by whom it was applied, with which plan, what became of it, which one is in use and which one rollback would pick; or diff two'
            cand verify 'Ask every application host over HTTP at its cluster''s proxy (which must answer it) and at every other cluster''s proxy (which must answer 503)'
            cand init 'Write a commented starter spec, and the JSON Schema editors complete it from'
            cand completions 'Print a shell completion script'
            cand schema 'Print the JSON Schema of the spec (interlock-split.toml), for editors'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'interlock-split;help;plan'= {
        }
        &'interlock-split;help;render'= {
        }
        &'interlock-split;help;validate'= {
        }
        &'interlock-split;help;apply'= {
        }
        &'interlock-split;help;rollback'= {
        }
        &'interlock-split;help;status'= {
        }
        &'interlock-split;help;history'= {
        }
        &'interlock-split;help;verify'= {
        }
        &'interlock-split;help;init'= {
        }
        &'interlock-split;help;completions'= {
        }
        &'interlock-split;help;schema'= {
        }
        &'interlock-split;help;help'= {
        }
    ]
    $completions[$command]
}
