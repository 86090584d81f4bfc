// Runs the SendGrid stand-in until stopped:  npx tsx simulator/sendgrid-main.ts [--port N]
// Point the app at it with SENDGRID_API_URL=<printed url> and any SENDGRID_API_KEY starting "SG.".
// --dns 127.0.0.1:5353 makes domain validation look records up there (simulator/dns-server.ts).

import { startSendGridStandIn } from "./sendgrid";

function parsePort(argv: string[]): number | undefined {
  const index = argv.findIndex((arg) => arg === "--port" || arg.startsWith("--port="));
  if (index === -1) return undefined;
  const arg = argv[index];
  const text = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : argv[index + 1];
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port needs a number between 0 and 65535, got "${text ?? ""}".`);
    process.exit(2);
  }
  return port;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const dns = args.indexOf("--dns") >= 0 ? args[args.indexOf("--dns") + 1] : undefined;
  const standIn = await startSendGridStandIn({ port: parsePort(args), ...(dns ? { dnsServers: [dns] } : {}) });
  console.log(`SendGrid stand-in listening on ${standIn.url}`);
  console.log(`  SENDGRID_API_URL=${standIn.url}  (any SENDGRID_API_KEY starting with "SG." is accepted)`);
  console.log(`  accepted mail: GET ${standIn.url}/__standin/messages`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping the SendGrid stand-in (${standIn.messages.length} messages accepted).`);
    standIn.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error) => {
  console.error(`Could not start the SendGrid stand-in: ${(error as Error).message}`);
  process.exit(1);
});
