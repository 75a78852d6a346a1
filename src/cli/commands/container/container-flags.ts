// The flags docker run and docker create share (docker/cli container/opts.go addFlags),
// declared on a commander command. Values stay strings here; opts/container-options.ts
// parses them so errors carry docker's wording.
import type { Command } from 'commander';
import { listOption } from '../../verb.ts';

export function addContainerFlags(cmd: Command): Command {
  return cmd
    .addOption(listOption('--add-host <list>', 'Add a custom host-to-IP mapping (host:ip)'))
    .addOption(listOption('-a, --attach <list>', 'Attach to STDIN, STDOUT or STDERR'))
    .addOption(listOption('--cap-add <list>', 'Add Linux capabilities'))
    .addOption(listOption('--cap-drop <list>', 'Drop Linux capabilities'))
    .option('-c, --cpu-shares <int>', 'CPU shares (relative weight)')
    .option('--cpus <decimal>', 'Number of CPUs')
    .addOption(listOption('--dns <list>', 'Set custom DNS servers'))
    .addOption(listOption('--dns-option <list>', 'Set DNS options'))
    .addOption(listOption('--dns-search <list>', 'Set custom DNS search domains'))
    .option('--domainname <string>', 'Container NIS domain name')
    .option('--entrypoint <string>', 'Overwrite the default ENTRYPOINT of the image')
    .addOption(listOption('-e, --env <list>', 'Set environment variables'))
    .addOption(listOption('--env-file <list>', 'Read in a file of environment variables'))
    .addOption(listOption('--expose <list>', 'Expose a port or a range of ports'))
    .addOption(listOption('--group-add <list>', 'Add additional groups to join'))
    .option('--health-cmd <string>', 'Command to run to check health')
    .option('--health-interval <duration>', 'Time between running the check (ms|s|m|h) (default 0s)')
    .option('--health-retries <int>', 'Consecutive failures needed to report unhealthy')
    .option('--health-start-interval <duration>', 'Time between running the check during the start period (ms|s|m|h) (default 0s)')
    .option('--health-start-period <duration>', 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)')
    .option('--health-timeout <duration>', 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)')
    .option('-h, --hostname <string>', 'Container host name')
    .option('--init', 'Run an init inside the container that forwards signals and reaps processes')
    .option('-i, --interactive', 'Keep STDIN open even if not attached')
    .option('--ipc <string>', 'IPC mode to use')
    .addOption(listOption('-l, --label <list>', 'Set meta data on a container'))
    .addOption(listOption('--label-file <list>', 'Read in a line delimited file of labels'))
    .option('--log-driver <string>', 'Logging driver for the container')
    .addOption(listOption('--log-opt <list>', 'Log driver options'))
    .option('-m, --memory <bytes>', 'Memory limit')
    .option('--memory-swap <bytes>', "Swap limit equal to memory plus swap: '-1' to enable unlimited swap")
    .addOption(listOption('--mount <mount>', 'Attach a filesystem mount to the container'))
    .option('--name <string>', 'Assign a name to the container')
    .option('--network <network>', 'Connect a container to a network')
    .option('--no-healthcheck', 'Disable any container-specified HEALTHCHECK')
    .option('--oom-score-adj <int>', "Tune host's OOM preferences (-1000 to 1000)")
    .option('--pid <string>', 'PID namespace to use')
    .option('--pids-limit <int>', 'Tune container pids limit (set -1 for unlimited)')
    .option('--platform <string>', 'Set platform if server is multi-platform capable')
    .option('--privileged', 'Give extended privileges to this container')
    .addOption(listOption('-p, --publish <list>', "Publish a container's port(s) to the host"))
    .option('-P, --publish-all', 'Publish all exposed ports to random ports')
    .option('--pull <string>', 'Pull image before running ("always", "missing", "never")', 'missing')
    .option('-q, --quiet', 'Suppress the pull output')
    .option('--read-only', "Mount the container's root filesystem as read only")
    .option('--restart <string>', 'Restart policy to apply when a container exits', 'no')
    .option('--rm', 'Automatically remove the container and its associated anonymous volumes when it exits')
    .option('--runtime <string>', 'Runtime to use for this container')
    .addOption(listOption('--security-opt <list>', 'Security Options'))
    .option('--shm-size <bytes>', 'Size of /dev/shm')
    .option('--stop-signal <string>', 'Signal to stop the container')
    .option('--stop-timeout <int>', 'Timeout (in seconds) to stop a container')
    .addOption(listOption('--sysctl <map>', 'Sysctl options'))
    .addOption(listOption('--tmpfs <list>', 'Mount a tmpfs directory'))
    .option('-t, --tty', 'Allocate a pseudo-TTY')
    .addOption(listOption('--ulimit <ulimit>', 'Ulimit options'))
    .option('-u, --user <string>', 'Username or UID (format: <name|uid>[:<group|gid>])')
    .option('--uts <string>', 'UTS namespace to use')
    .addOption(listOption('-v, --volume <list>', 'Bind mount a volume'))
    .option('--volume-driver <string>', 'Optional volume driver for the container')
    .addOption(listOption('--volumes-from <list>', 'Mount volumes from the specified container(s)'))
    .option('-w, --workdir <string>', 'Working directory inside the container');
}

export function addRunOnlyFlags(cmd: Command): Command {
  return cmd
    .option('-d, --detach', 'Run container in background and print container ID')
    .option('--detach-keys <string>', 'Override the key sequence for detaching a container')
    .option('--sig-proxy', 'Proxy received signals to the process (default true)', true)
    .option('--no-sig-proxy', 'Do not proxy received signals to the process');
}
