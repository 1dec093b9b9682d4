
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'interlock-split' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'interlock-split'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'interlock-split' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output. `auto` colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the product (plan, TOML, JSON) and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the product (plan, TOML, JSON) and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what is being done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what is being done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Show the new config, the findings, and what apply would do. Changes nothing')
            [CompletionResult]::new('render', 'render', [CompletionResultType]::ParameterValue, 'Print the new Interlock config (TOML) on stdout')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check an Interlock config: syntax, ports, names, constraints, required keys')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Do what the plan says: upload the versioned config, roll ucp-interlock with rollback, wait for Interlock''s services, retire stale ones, prune old configs')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Point ucp-interlock back at the previous (or a named) Interlock config')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show each service cluster''s services, replicas, ports and nodes, stale services, and the history of Interlock configs, with problems flagged')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'List every Interlock config: when and by whom it was applied, with which plan, what became of it, which one is in use and which one rollback would pick; or diff two')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Ask every application host over HTTP at its cluster''s proxy (which must answer it) and at every other cluster''s proxy (which must answer 503)')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a commented starter spec, and the JSON Schema editors complete it from')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema of the spec (interlock-split.toml), for editors')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'interlock-split;plan' {
            [CompletionResult]::new('--current', '--current', [CompletionResultType]::ParameterName, 'Plan from this Interlock config (TOML) instead of the cluster''s, offline')
            [CompletionResult]::new('--bundle', '--bundle', [CompletionResultType]::ParameterName, 'A UCP/MKE client bundle: the zip as downloaded, or its unzipped folder')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'The Docker API endpoint, e.g. tcp://ucp.example.com:443')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate that signed the server''s certificate (with --host)')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (with --host)')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (with --host)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'A docker CLI context (also DOCKER_CONTEXT)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each API request')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Save the plan, with a fingerprint of what it was computed from, for apply')
            [CompletionResult]::new('--keep-configs', '--keep-configs', [CompletionResultType]::ParameterName, 'Interlock configs to keep; older ones are pruned (never the one in use or the one before)')
            [CompletionResult]::new('--spec', '--spec', [CompletionResultType]::ParameterName, 'The spec declaring the service clusters')
            [CompletionResult]::new('--config-name', '--config-name', [CompletionResultType]::ParameterName, 'The name of the Docker config FILE came from (e.g. com.docker.ucp.interlock.conf-1), to name the next version in the plan')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output. `auto` colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('--detailed-exitcode', '--detailed-exitcode', [CompletionResultType]::ParameterName, 'Exit 2 when the plan has changes (0: none, 1: error)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the product (plan, TOML, JSON) and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the product (plan, TOML, JSON) and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what is being done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what is being done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'interlock-split;render' {
            [CompletionResult]::new('--current', '--current', [CompletionResultType]::ParameterName, 'The current Interlock config (TOML)')
            [CompletionResult]::new('--spec', '--spec', [CompletionResultType]::ParameterName, 'The spec declaring the service clusters')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output. `auto` colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the product (plan, TOML, JSON) and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the product (plan, TOML, JSON) and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what is being done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what is being done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'interlock-split;validate' {
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output. `auto` colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the product (plan, TOML, JSON) and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the product (plan, TOML, JSON) and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what is being done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what is being done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'interlock-split;apply' {
            [CompletionResult]::new('--spec', '--spec', [CompletionResultType]::ParameterName, 'The spec declaring the service clusters')
            [CompletionResult]::new('--bundle', '--bundle', [CompletionResultType]::ParameterName, 'A UCP/MKE client bundle: the zip as downloaded, or its unzipped folder')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'The Docker API endpoint, e.g. tcp://ucp.example.com:443')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate that signed the server''s certificate (with --host)')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (with --host)')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (with --host)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'A docker CLI context (also DOCKER_CONTEXT)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each API request')
            [CompletionResult]::new('--keep-configs', '--keep-configs', [CompletionResultType]::ParameterName, 'Interlock configs to keep; older ones are pruned (never the one in use or the one before)')
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for an update to converge, or for Interlock to create a service')
            [CompletionResult]::new('--backup-dir', '--backup-dir', [CompletionResultType]::ParameterName, 'Where the backup of the current TOML goes')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of the result')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output. `auto` colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('--auto-approve', '--auto-approve', [CompletionResultType]::ParameterName, 'Apply without asking (needed without a terminal, unless a saved plan is applied)')
            [CompletionResult]::new('--no-cleanup', '--no-cleanup', [CompletionResultType]::ParameterName, 'Keep the stale services that do not hold a port a new proxy needs')
            [CompletionResult]::new('--no-reconcile', '--no-reconcile', [CompletionResultType]::ParameterName, 'Leave existing proxies whose constraints, replicas or ports differ from the config (by default they are updated in place)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the product (plan, TOML, JSON) and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the product (plan, TOML, JSON) and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what is being done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what is being done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'interlock-split;rollback' {
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'The config to go back to (default: the version before the one in use)')
            [CompletionResult]::new('--bundle', '--bundle', [CompletionResultType]::ParameterName, 'A UCP/MKE client bundle: the zip as downloaded, or its unzipped folder')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'The Docker API endpoint, e.g. tcp://ucp.example.com:443')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate that signed the server''s certificate (with --host)')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (with --host)')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (with --host)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'A docker CLI context (also DOCKER_CONTEXT)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each API request')
            [CompletionResult]::new('--wait-timeout', '--wait-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for the update to converge')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format of the result')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output. `auto` colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('--auto-approve', '--auto-approve', [CompletionResultType]::ParameterName, 'Roll back without asking')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the product (plan, TOML, JSON) and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the product (plan, TOML, JSON) and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what is being done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what is being done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'interlock-split;status' {
            [CompletionResult]::new('--bundle', '--bundle', [CompletionResultType]::ParameterName, 'A UCP/MKE client bundle: the zip as downloaded, or its unzipped folder')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'The Docker API endpoint, e.g. tcp://ucp.example.com:443')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate that signed the server''s certificate (with --host)')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (with --host)')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (with --host)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'A docker CLI context (also DOCKER_CONTEXT)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each API request')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output. `auto` colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the product (plan, TOML, JSON) and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the product (plan, TOML, JSON) and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what is being done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what is being done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'interlock-split;history' {
            [CompletionResult]::new('--bundle', '--bundle', [CompletionResultType]::ParameterName, 'A UCP/MKE client bundle: the zip as downloaded, or its unzipped folder')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'The Docker API endpoint, e.g. tcp://ucp.example.com:443')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate that signed the server''s certificate (with --host)')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (with --host)')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (with --host)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'A docker CLI context (also DOCKER_CONTEXT)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each API request')
            [CompletionResult]::new('--diff', '--diff', [CompletionResultType]::ParameterName, 'Print the TOML diff (secrets masked) between two versions (a number or a config name); without values, the config in use against its predecessor')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output. `auto` colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the product (plan, TOML, JSON) and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the product (plan, TOML, JSON) and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what is being done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what is being done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'interlock-split;verify' {
            [CompletionResult]::new('--bundle', '--bundle', [CompletionResultType]::ParameterName, 'A UCP/MKE client bundle: the zip as downloaded, or its unzipped folder')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'The Docker API endpoint, e.g. tcp://ucp.example.com:443')
            [CompletionResult]::new('--tls-ca', '--tls-ca', [CompletionResultType]::ParameterName, 'CA certificate that signed the server''s certificate (with --host)')
            [CompletionResult]::new('--tls-cert', '--tls-cert', [CompletionResultType]::ParameterName, 'Client certificate (with --host)')
            [CompletionResult]::new('--tls-key', '--tls-key', [CompletionResultType]::ParameterName, 'Client private key (with --host)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'A docker CLI context (also DOCKER_CONTEXT)')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for each API request')
            [CompletionResult]::new('--concurrency', '--concurrency', [CompletionResultType]::ParameterName, 'How many requests may be under way at once')
            [CompletionResult]::new('--request-timeout', '--request-timeout', [CompletionResultType]::ParameterName, 'Seconds each request may take')
            [CompletionResult]::new('--ingress-nodes', '--ingress-nodes', [CompletionResultType]::ParameterName, 'In ingress mode, how many nodes a proxy is asked on')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output. `auto` colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the product (plan, TOML, JSON) and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the product (plan, TOML, JSON) and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what is being done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what is being done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'interlock-split;init' {
            [CompletionResult]::new('--template', '--template', [CompletionResultType]::ParameterName, 'Which starter to write')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output. `auto` colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'List the starters and exit')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite PATH if it exists')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the product (plan, TOML, JSON) and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the product (plan, TOML, JSON) and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what is being done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what is being done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'interlock-split;completions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output. `auto` colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the product (plan, TOML, JSON) and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the product (plan, TOML, JSON) and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what is being done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what is being done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'interlock-split;schema' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to colour output. `auto` colours a terminal unless NO_COLOR is set')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print only the product (plan, TOML, JSON) and errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print only the product (plan, TOML, JSON) and errors')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'Print more about what is being done')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'Print more about what is being done')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'interlock-split;help' {
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Show the new config, the findings, and what apply would do. Changes nothing')
            [CompletionResult]::new('render', 'render', [CompletionResultType]::ParameterValue, 'Print the new Interlock config (TOML) on stdout')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check an Interlock config: syntax, ports, names, constraints, required keys')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Do what the plan says: upload the versioned config, roll ucp-interlock with rollback, wait for Interlock''s services, retire stale ones, prune old configs')
            [CompletionResult]::new('rollback', 'rollback', [CompletionResultType]::ParameterValue, 'Point ucp-interlock back at the previous (or a named) Interlock config')
            [CompletionResult]::new('status', 'status', [CompletionResultType]::ParameterValue, 'Show each service cluster''s services, replicas, ports and nodes, stale services, and the history of Interlock configs, with problems flagged')
            [CompletionResult]::new('history', 'history', [CompletionResultType]::ParameterValue, 'List every Interlock config: when and by whom it was applied, with which plan, what became of it, which one is in use and which one rollback would pick; or diff two')
            [CompletionResult]::new('verify', 'verify', [CompletionResultType]::ParameterValue, 'Ask every application host over HTTP at its cluster''s proxy (which must answer it) and at every other cluster''s proxy (which must answer 503)')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a commented starter spec, and the JSON Schema editors complete it from')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema of the spec (interlock-split.toml), for editors')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'interlock-split;help;plan' {
            break
        }
        'interlock-split;help;render' {
            break
        }
        'interlock-split;help;validate' {
            break
        }
        'interlock-split;help;apply' {
            break
        }
        'interlock-split;help;rollback' {
            break
        }
        'interlock-split;help;status' {
            break
        }
        'interlock-split;help;history' {
            break
        }
        'interlock-split;help;verify' {
            break
        }
        'interlock-split;help;init' {
            break
        }
        'interlock-split;help;completions' {
            break
        }
        'interlock-split;help;schema' {
            break
        }
        'interlock-split;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
