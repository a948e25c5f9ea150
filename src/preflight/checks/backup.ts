/** The backup check: the backup directory's manifest lists an intact backup holding the current key version. */
import path from "node:path";
import { promises as fs } from "node:fs";
import { readManifest } from "../../store/backup-manifest.js";
import { sha256Hex } from "../../store/backup-files.js";
import { Blocked, keyLabel, needKey, needKeyName, pass, type CheckInputs, type CheckTask } from "./check-task.js";
import type { MemberTarget } from "../normalize-target.js";

function backupCheck(inputs: CheckInputs, m: MemberTarget, directory: string): CheckTask {
  return {
    id: "backup.current",
    target: keyLabel(m),
    run: async () => {
      const name = await needKeyName(m);
      const key = await needKey(inputs, m);
      const live = key.properties.version ?? "";
      const versionless = `${key.properties.vaultUrl.replace(/\/+$/, "")}/keys/${key.name}`.toLowerCase();
      const manifest = await readManifest(directory);
      const records = manifest.backups.filter((b) => b.keyId.toLowerCase() === versionless).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      const remediation = `client.backups.backupKey("${versionless}", { directory: "${directory}" }). PowerShell: Backup-AzKeyVaultKey -VaultName ${m.vaultName} -Name ${name} -OutputFile <file>; keep copies online and offline.`;
      if (records.length === 0) return { status: "fail", evidence: `No backup of ${key.name} in ${path.resolve(directory)}.`, remediation };
      let altered = 0;
      for (const record of records.filter((r) => r.versions.includes(live))) {
        const bytes = await fs.readFile(path.join(directory, record.file)).catch(() => undefined);
        if (bytes && bytes.length === record.size && sha256Hex(bytes) === record.sha256) return pass(`${record.file} (${record.createdAt}) is intact and holds the current version ${live}.`);
        altered++;
      }
      const newest = records[0]!;
      throw new Blocked({
        status: "fail",
        evidence: altered > 0 ? `${altered} backup(s) with the current version are missing or altered; newest listed: ${newest.file}.` : `The newest backup (${newest.file}, ${newest.createdAt}) lacks the current version ${live}: the key changed since.`,
        remediation,
      });
    },
  };
}

/** One backup check per member, when the target names a backup directory. */
export function backupChecks(inputs: CheckInputs): CheckTask[] {
  const directory = inputs.target.backupDirectory;
  return directory ? inputs.target.members.map((m) => ({ ...backupCheck(inputs, m, directory), member: m })) : [];
}
