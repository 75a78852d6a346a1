// berth version: docker's version template (cli/command/system/version.go) over the client
// facts and GET /version, aligned by a tabwriter (min width 20, padding 1). Without a
// daemon the Client section prints and the command fails with the connection error.
import type { VersionResponse } from '../../../api/types/index.ts';
import { messageOf } from '../../../lib/index.ts';
import { GoStruct, isPlainObject } from '../../format/go-value.ts';
import { TabWriter } from '../../format/tab-writer.ts';
import { Template } from '../../format/template.ts';
import { StatusError } from '../../status-error.ts';
import { CLI_VERSION, DEFAULT_API_VERSION, goOsArch } from '../../version.ts';
import type { VerbSpec } from '../../verb.ts';
import { writeOut } from '../../write-out.ts';

const VERSION_TEMPLATE = `{{with .Client -}}
Client:{{if ne .Platform nil}}{{if ne .Platform.Name ""}} {{.Platform.Name}}{{end}}{{end}}
 Version:\t{{.Version}}
 API version:\t{{.APIVersion}}{{if ne .APIVersion .DefaultAPIVersion}} (downgraded from {{.DefaultAPIVersion}}){{end}}
 Go version:\t{{.GoVersion}}
 Git commit:\t{{.GitCommit}}
 Built:\t{{.BuildTime}}
 OS/Arch:\t{{.Os}}/{{.Arch}}
 Context:\t{{.Context}}
{{- end}}

{{- if ne .Server nil}}{{with .Server}}

Server:{{if ne .Platform.Name ""}} {{.Platform.Name}}{{end}}
 {{- range $component := .Components}}
 {{$component.Name}}:
  {{- if eq $component.Name "Engine" }}
  Version:\t{{.Version}}
  API version:\t{{index .Details "ApiVersion"}} (minimum version {{index .Details "MinAPIVersion"}})
  Go version:\t{{index .Details "GoVersion"}}
  Git commit:\t{{index .Details "GitCommit"}}
  Built:\t{{index .Details "BuildTime"}}
  OS/Arch:\t{{index .Details "Os"}}/{{index .Details "Arch"}}
  Experimental:\t{{index .Details "Experimental"}}
  {{- else }}
  Version:\t{{$component.Version}}
  {{- $detailsOrder := getDetailsOrder $component}}
  {{- range $key := $detailsOrder}}
  {{$key}}:\t{{index $component.Details $key}}
   {{- end}}
  {{- end}}
 {{- end}}
 {{- end}}{{- end}}`;

/** time.ANSIC ("Mon Jan  2 15:04:05 2006") for RFC 3339 build times; others unchanged. */
export function reformatDate(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value)) return value;
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return value;
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()];
  const mon = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()];
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${day} ${mon} ${String(d.getUTCDate()).padStart(2, ' ')} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${d.getUTCFullYear()}`;
}

function clientInfo(apiVersion: string): GoStruct {
  const { os, arch } = goOsArch();
  const fields = {
    Version: CLI_VERSION, ApiVersion: apiVersion, DefaultAPIVersion: DEFAULT_API_VERSION, GitCommit: 'unknown',
    GoVersion: process.version, Os: os, Arch: arch, BuildTime: '', Context: 'default',
  };
  return new GoStruct('main.clientVersion', { Platform: null, ...fields, APIVersion: apiVersion }, () => fields);
}

type ServerVersion = VersionResponse & { Experimental?: boolean };

function withEngineComponent(sv: ServerVersion): ServerVersion {
  const components = (sv.Components ?? []).map((c) => (c.Name === 'Engine' && c.Details?.['BuildTime']
    ? { ...c, Details: { ...c.Details, BuildTime: reformatDate(c.Details['BuildTime']) } } : c));
  if (!components.some((c) => c.Name === 'Engine')) {
    components.push({
      Name: 'Engine', Version: sv.Version, Details: {
        ApiVersion: sv.ApiVersion, MinAPIVersion: sv.MinAPIVersion, GitCommit: sv.GitCommit, GoVersion: sv.GoVersion,
        Os: sv.Os, Arch: sv.Arch, BuildTime: reformatDate(sv.BuildTime), Experimental: String(sv.Experimental === true),
      },
    });
  }
  return { ...sv, Platform: sv.Platform ?? { Name: '' }, Components: components };
}

export function versionVerb(): VerbSpec<{ format?: string }> {
  return {
    name: 'version',
    usage: '[OPTIONS]',
    description: 'Show the berth version information',
    args: { max: 0 },
    options: (cmd) => cmd.option('-f, --format <string>', 'Format output using a custom template'),
    action: async ({ ctx, opts, client }) => {
      const source = opts.format === undefined || opts.format === '' ? VERSION_TEMPLATE : opts.format === 'json' ? '{{json .}}' : opts.format;
      let tmpl: Template;
      try {
        tmpl = Template.parse(source, {
          getDetailsOrder: (c) => (isPlainObject(c) && isPlainObject(c['Details']) ? Object.keys(c['Details']).sort() : []),
        });
      } catch (e) {
        throw new StatusError(64, `template parsing error: ${messageOf(e)}`);
      }
      const api = client();
      let server: ServerVersion | null = null;
      let failure: unknown = null;
      try {
        server = withEngineComponent(await api.system.version());
      } catch (e) {
        failure = e;
      }
      const data = { Client: clientInfo(api.apiVersion() ?? DEFAULT_API_VERSION), Server: server };
      const w = new TabWriter({ minWidth: 20, tabWidth: 1, padding: 1 });
      let execError: unknown = null;
      try {
        w.write(tmpl.execute(data));
      } catch (e) {
        execError = e;
      }
      w.write('\n');
      await writeOut(ctx.out, w.flush());
      if (failure !== null) throw failure;
      if (execError !== null) throw new StatusError(1, `template: ${messageOf(execError).replace(/^template: /, '')}`);
    },
  };
}
