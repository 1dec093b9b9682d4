# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_interlock_split_global_optspecs
    string join \n color= q/quiet v/verbose h/help V/version
end

function __fish_interlock_split_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_interlock_split_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_interlock_split_using_subcommand
    set -l cmd (__fish_interlock_split_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c interlock-split -n "__fish_interlock_split_needs_command" -l color -d 'When to colour output. `auto` colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c interlock-split -n "__fish_interlock_split_needs_command" -s q -l quiet -d 'Print only the product (plan, TOML, JSON) and errors'
complete -c interlock-split -n "__fish_interlock_split_needs_command" -s v -l verbose -d 'Print more about what is being done'
complete -c interlock-split -n "__fish_interlock_split_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c interlock-split -n "__fish_interlock_split_needs_command" -s V -l version -d 'Print version'
complete -c interlock-split -n "__fish_interlock_split_needs_command" -f -a "plan" -d 'Show the new config, the findings, and what apply would do. Changes nothing'
complete -c interlock-split -n "__fish_interlock_split_needs_command" -f -a "render" -d 'Print the new Interlock config (TOML) on stdout'
complete -c interlock-split -n "__fish_interlock_split_needs_command" -f -a "validate" -d 'Check an Interlock config: syntax, ports, names, constraints, required keys'
complete -c interlock-split -n "__fish_interlock_split_needs_command" -f -a "apply" -d 'Do what the plan says: upload the versioned config, roll ucp-interlock with rollback, wait for Interlock\'s services, retire stale ones, prune old configs'
complete -c interlock-split -n "__fish_interlock_split_needs_command" -f -a "rollback" -d 'Point ucp-interlock back at the previous (or a named) Interlock config'
complete -c interlock-split -n "__fish_interlock_split_needs_command" -f -a "status" -d 'Show each service cluster\'s services, replicas, ports and nodes, stale services, and the history of Interlock configs, with problems flagged'
complete -c interlock-split -n "__fish_interlock_split_needs_command" -f -a "history" -d 'List every Interlock config: when and by whom it was applied, with which plan, what became of it, which one is in use and which one rollback would pick; or diff two'
complete -c interlock-split -n "__fish_interlock_split_needs_command" -f -a "verify" -d 'Ask every application host over HTTP at its cluster\'s proxy (which must answer it) and at every other cluster\'s proxy (which must answer 503)'
complete -c interlock-split -n "__fish_interlock_split_needs_command" -f -a "init" -d 'Write a commented starter spec, and the JSON Schema editors complete it from'
complete -c interlock-split -n "__fish_interlock_split_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c interlock-split -n "__fish_interlock_split_needs_command" -f -a "schema" -d 'Print the JSON Schema of the spec (interlock-split.toml), for editors'
complete -c interlock-split -n "__fish_interlock_split_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand plan" -l current -d 'Plan from this Interlock config (TOML) instead of the cluster\'s, offline' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand plan" -l bundle -d 'A UCP/MKE client bundle: the zip as downloaded, or its unzipped folder' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand plan" -l host -d 'The Docker API endpoint, e.g. tcp://ucp.example.com:443' -r
complete -c interlock-split -n "__fish_interlock_split_using_subcommand plan" -l tls-ca -d 'CA certificate that signed the server\'s certificate (with --host)' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand plan" -l tls-cert -d 'Client certificate (with --host)' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand plan" -l tls-key -d 'Client private key (with --host)' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand plan" -l context -d 'A docker CLI context (also DOCKER_CONTEXT)' -r
complete -c interlock-split -n "__fish_interlock_split_using_subcommand plan" -l timeout -d 'Seconds to wait for each API request' -r
complete -c interlock-split -n "__fish_interlock_split_using_subcommand plan" -l out -d 'Save the plan, with a fingerprint of what it was computed from, for apply' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand plan" -l keep-configs -d 'Interlock configs to keep; older ones are pruned (never the one in use or the one before)' -r
complete -c interlock-split -n "__fish_interlock_split_using_subcommand plan" -l spec -d 'The spec declaring the service clusters' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand plan" -l config-name -d 'The name of the Docker config FILE came from (e.g. com.docker.ucp.interlock.conf-1), to name the next version in the plan' -r
complete -c interlock-split -n "__fish_interlock_split_using_subcommand plan" -l output -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c interlock-split -n "__fish_interlock_split_using_subcommand plan" -l color -d 'When to colour output. `auto` colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c interlock-split -n "__fish_interlock_split_using_subcommand plan" -l detailed-exitcode -d 'Exit 2 when the plan has changes (0: none, 1: error)'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand plan" -s q -l quiet -d 'Print only the product (plan, TOML, JSON) and errors'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand plan" -s v -l verbose -d 'Print more about what is being done'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand plan" -s h -l help -d 'Print help'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand plan" -s V -l version -d 'Print version'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand render" -l current -d 'The current Interlock config (TOML)' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand render" -l spec -d 'The spec declaring the service clusters' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand render" -l color -d 'When to colour output. `auto` colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c interlock-split -n "__fish_interlock_split_using_subcommand render" -s q -l quiet -d 'Print only the product (plan, TOML, JSON) and errors'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand render" -s v -l verbose -d 'Print more about what is being done'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand render" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand render" -s V -l version -d 'Print version'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand validate" -l output -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c interlock-split -n "__fish_interlock_split_using_subcommand validate" -l color -d 'When to colour output. `auto` colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c interlock-split -n "__fish_interlock_split_using_subcommand validate" -s q -l quiet -d 'Print only the product (plan, TOML, JSON) and errors'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand validate" -s v -l verbose -d 'Print more about what is being done'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand validate" -s h -l help -d 'Print help'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand validate" -s V -l version -d 'Print version'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand apply" -l spec -d 'The spec declaring the service clusters' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand apply" -l bundle -d 'A UCP/MKE client bundle: the zip as downloaded, or its unzipped folder' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand apply" -l host -d 'The Docker API endpoint, e.g. tcp://ucp.example.com:443' -r
complete -c interlock-split -n "__fish_interlock_split_using_subcommand apply" -l tls-ca -d 'CA certificate that signed the server\'s certificate (with --host)' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand apply" -l tls-cert -d 'Client certificate (with --host)' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand apply" -l tls-key -d 'Client private key (with --host)' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand apply" -l context -d 'A docker CLI context (also DOCKER_CONTEXT)' -r
complete -c interlock-split -n "__fish_interlock_split_using_subcommand apply" -l timeout -d 'Seconds to wait for each API request' -r
complete -c interlock-split -n "__fish_interlock_split_using_subcommand apply" -l keep-configs -d 'Interlock configs to keep; older ones are pruned (never the one in use or the one before)' -r
complete -c interlock-split -n "__fish_interlock_split_using_subcommand apply" -l wait-timeout -d 'Seconds to wait for an update to converge, or for Interlock to create a service' -r
complete -c interlock-split -n "__fish_interlock_split_using_subcommand apply" -l backup-dir -d 'Where the backup of the current TOML goes' -r -f -a "(__fish_complete_directories)"
complete -c interlock-split -n "__fish_interlock_split_using_subcommand apply" -l output -d 'Output format of the result' -r -f -a "human\t''
json\t''"
complete -c interlock-split -n "__fish_interlock_split_using_subcommand apply" -l color -d 'When to colour output. `auto` colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c interlock-split -n "__fish_interlock_split_using_subcommand apply" -l auto-approve -d 'Apply without asking (needed without a terminal, unless a saved plan is applied)'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand apply" -l no-cleanup -d 'Keep the stale services that do not hold a port a new proxy needs'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand apply" -l no-reconcile -d 'Leave existing proxies whose constraints, replicas or ports differ from the config (by default they are updated in place)'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand apply" -s q -l quiet -d 'Print only the product (plan, TOML, JSON) and errors'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand apply" -s v -l verbose -d 'Print more about what is being done'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand apply" -s h -l help -d 'Print help'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand apply" -s V -l version -d 'Print version'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand rollback" -l to -d 'The config to go back to (default: the version before the one in use)' -r
complete -c interlock-split -n "__fish_interlock_split_using_subcommand rollback" -l bundle -d 'A UCP/MKE client bundle: the zip as downloaded, or its unzipped folder' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand rollback" -l host -d 'The Docker API endpoint, e.g. tcp://ucp.example.com:443' -r
complete -c interlock-split -n "__fish_interlock_split_using_subcommand rollback" -l tls-ca -d 'CA certificate that signed the server\'s certificate (with --host)' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand rollback" -l tls-cert -d 'Client certificate (with --host)' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand rollback" -l tls-key -d 'Client private key (with --host)' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand rollback" -l context -d 'A docker CLI context (also DOCKER_CONTEXT)' -r
complete -c interlock-split -n "__fish_interlock_split_using_subcommand rollback" -l timeout -d 'Seconds to wait for each API request' -r
complete -c interlock-split -n "__fish_interlock_split_using_subcommand rollback" -l wait-timeout -d 'Seconds to wait for the update to converge' -r
complete -c interlock-split -n "__fish_interlock_split_using_subcommand rollback" -l output -d 'Output format of the result' -r -f -a "human\t''
json\t''"
complete -c interlock-split -n "__fish_interlock_split_using_subcommand rollback" -l color -d 'When to colour output. `auto` colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c interlock-split -n "__fish_interlock_split_using_subcommand rollback" -l auto-approve -d 'Roll back without asking'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand rollback" -s q -l quiet -d 'Print only the product (plan, TOML, JSON) and errors'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand rollback" -s v -l verbose -d 'Print more about what is being done'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand rollback" -s h -l help -d 'Print help'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand rollback" -s V -l version -d 'Print version'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand status" -l bundle -d 'A UCP/MKE client bundle: the zip as downloaded, or its unzipped folder' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand status" -l host -d 'The Docker API endpoint, e.g. tcp://ucp.example.com:443' -r
complete -c interlock-split -n "__fish_interlock_split_using_subcommand status" -l tls-ca -d 'CA certificate that signed the server\'s certificate (with --host)' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand status" -l tls-cert -d 'Client certificate (with --host)' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand status" -l tls-key -d 'Client private key (with --host)' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand status" -l context -d 'A docker CLI context (also DOCKER_CONTEXT)' -r
complete -c interlock-split -n "__fish_interlock_split_using_subcommand status" -l timeout -d 'Seconds to wait for each API request' -r
complete -c interlock-split -n "__fish_interlock_split_using_subcommand status" -l output -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c interlock-split -n "__fish_interlock_split_using_subcommand status" -l color -d 'When to colour output. `auto` colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c interlock-split -n "__fish_interlock_split_using_subcommand status" -s q -l quiet -d 'Print only the product (plan, TOML, JSON) and errors'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand status" -s v -l verbose -d 'Print more about what is being done'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand status" -s h -l help -d 'Print help'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand status" -s V -l version -d 'Print version'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand history" -l bundle -d 'A UCP/MKE client bundle: the zip as downloaded, or its unzipped folder' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand history" -l host -d 'The Docker API endpoint, e.g. tcp://ucp.example.com:443' -r
complete -c interlock-split -n "__fish_interlock_split_using_subcommand history" -l tls-ca -d 'CA certificate that signed the server\'s certificate (with --host)' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand history" -l tls-cert -d 'Client certificate (with --host)' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand history" -l tls-key -d 'Client private key (with --host)' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand history" -l context -d 'A docker CLI context (also DOCKER_CONTEXT)' -r
complete -c interlock-split -n "__fish_interlock_split_using_subcommand history" -l timeout -d 'Seconds to wait for each API request' -r
complete -c interlock-split -n "__fish_interlock_split_using_subcommand history" -l diff -d 'Print the TOML diff (secrets masked) between two versions (a number or a config name); without values, the config in use against its predecessor' -r
complete -c interlock-split -n "__fish_interlock_split_using_subcommand history" -l output -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c interlock-split -n "__fish_interlock_split_using_subcommand history" -l color -d 'When to colour output. `auto` colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c interlock-split -n "__fish_interlock_split_using_subcommand history" -s q -l quiet -d 'Print only the product (plan, TOML, JSON) and errors'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand history" -s v -l verbose -d 'Print more about what is being done'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand history" -s h -l help -d 'Print help'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand history" -s V -l version -d 'Print version'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand verify" -l bundle -d 'A UCP/MKE client bundle: the zip as downloaded, or its unzipped folder' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand verify" -l host -d 'The Docker API endpoint, e.g. tcp://ucp.example.com:443' -r
complete -c interlock-split -n "__fish_interlock_split_using_subcommand verify" -l tls-ca -d 'CA certificate that signed the server\'s certificate (with --host)' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand verify" -l tls-cert -d 'Client certificate (with --host)' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand verify" -l tls-key -d 'Client private key (with --host)' -r -F
complete -c interlock-split -n "__fish_interlock_split_using_subcommand verify" -l context -d 'A docker CLI context (also DOCKER_CONTEXT)' -r
complete -c interlock-split -n "__fish_interlock_split_using_subcommand verify" -l timeout -d 'Seconds to wait for each API request' -r
complete -c interlock-split -n "__fish_interlock_split_using_subcommand verify" -l concurrency -d 'How many requests may be under way at once' -r
complete -c interlock-split -n "__fish_interlock_split_using_subcommand verify" -l request-timeout -d 'Seconds each request may take' -r
complete -c interlock-split -n "__fish_interlock_split_using_subcommand verify" -l ingress-nodes -d 'In ingress mode, how many nodes a proxy is asked on' -r
complete -c interlock-split -n "__fish_interlock_split_using_subcommand verify" -l output -d 'Output format' -r -f -a "human\t''
json\t''"
complete -c interlock-split -n "__fish_interlock_split_using_subcommand verify" -l color -d 'When to colour output. `auto` colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c interlock-split -n "__fish_interlock_split_using_subcommand verify" -s q -l quiet -d 'Print only the product (plan, TOML, JSON) and errors'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand verify" -s v -l verbose -d 'Print more about what is being done'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand verify" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand verify" -s V -l version -d 'Print version'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand init" -l template -d 'Which starter to write' -r -f -a "environments\t''
regions\t''"
complete -c interlock-split -n "__fish_interlock_split_using_subcommand init" -l color -d 'When to colour output. `auto` colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c interlock-split -n "__fish_interlock_split_using_subcommand init" -l list -d 'List the starters and exit'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand init" -l force -d 'Overwrite PATH if it exists'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand init" -s q -l quiet -d 'Print only the product (plan, TOML, JSON) and errors'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand init" -s v -l verbose -d 'Print more about what is being done'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand init" -s V -l version -d 'Print version'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand completions" -l color -d 'When to colour output. `auto` colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c interlock-split -n "__fish_interlock_split_using_subcommand completions" -s q -l quiet -d 'Print only the product (plan, TOML, JSON) and errors'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand completions" -s v -l verbose -d 'Print more about what is being done'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand completions" -s h -l help -d 'Print help'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand completions" -s V -l version -d 'Print version'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand schema" -l color -d 'When to colour output. `auto` colours a terminal unless NO_COLOR is set' -r -f -a "auto\t''
always\t''
never\t''"
complete -c interlock-split -n "__fish_interlock_split_using_subcommand schema" -s q -l quiet -d 'Print only the product (plan, TOML, JSON) and errors'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand schema" -s v -l verbose -d 'Print more about what is being done'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand schema" -s h -l help -d 'Print help'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand schema" -s V -l version -d 'Print version'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand help; and not __fish_seen_subcommand_from plan render validate apply rollback status history verify init completions schema help" -f -a "plan" -d 'Show the new config, the findings, and what apply would do. Changes nothing'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand help; and not __fish_seen_subcommand_from plan render validate apply rollback status history verify init completions schema help" -f -a "render" -d 'Print the new Interlock config (TOML) on stdout'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand help; and not __fish_seen_subcommand_from plan render validate apply rollback status history verify init completions schema help" -f -a "validate" -d 'Check an Interlock config: syntax, ports, names, constraints, required keys'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand help; and not __fish_seen_subcommand_from plan render validate apply rollback status history verify init completions schema help" -f -a "apply" -d 'Do what the plan says: upload the versioned config, roll ucp-interlock with rollback, wait for Interlock\'s services, retire stale ones, prune old configs'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand help; and not __fish_seen_subcommand_from plan render validate apply rollback status history verify init completions schema help" -f -a "rollback" -d 'Point ucp-interlock back at the previous (or a named) Interlock config'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand help; and not __fish_seen_subcommand_from plan render validate apply rollback status history verify init completions schema help" -f -a "status" -d 'Show each service cluster\'s services, replicas, ports and nodes, stale services, and the history of Interlock configs, with problems flagged'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand help; and not __fish_seen_subcommand_from plan render validate apply rollback status history verify init completions schema help" -f -a "history" -d 'List every Interlock config: when and by whom it was applied, with which plan, what became of it, which one is in use and which one rollback would pick; or diff two'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand help; and not __fish_seen_subcommand_from plan render validate apply rollback status history verify init completions schema help" -f -a "verify" -d 'Ask every application host over HTTP at its cluster\'s proxy (which must answer it) and at every other cluster\'s proxy (which must answer 503)'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand help; and not __fish_seen_subcommand_from plan render validate apply rollback status history verify init completions schema help" -f -a "init" -d 'Write a commented starter spec, and the JSON Schema editors complete it from'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand help; and not __fish_seen_subcommand_from plan render validate apply rollback status history verify init completions schema help" -f -a "completions" -d 'Print a shell completion script'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand help; and not __fish_seen_subcommand_from plan render validate apply rollback status history verify init completions schema help" -f -a "schema" -d 'Print the JSON Schema of the spec (interlock-split.toml), for editors'
complete -c interlock-split -n "__fish_interlock_split_using_subcommand help; and not __fish_seen_subcommand_from plan render validate apply rollback status history verify init completions schema help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
