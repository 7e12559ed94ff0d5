import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** A file inside an installed package, found from the package's entry point (exports hide the rest). */
function packageFile(name: string, file: string): string {
  for (let dir = dirname(require.resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, file))) return join(dir, file);
  }
  throw new Error(`${file} not found in package ${name}`);
}

/** GraphiQL and React ship inside their npm packages, so the explorer needs no CDN. */
const ASSETS: Record<string, { file: string; type: string }> = {
  'react.js': { file: packageFile('react', 'umd/react.production.min.js'), type: 'text/javascript' },
  'react-dom.js': { file: packageFile('react-dom', 'umd/react-dom.production.min.js'), type: 'text/javascript' },
  'graphiql.js': { file: packageFile('graphiql', 'graphiql.min.js'), type: 'text/javascript' },
  'graphiql.css': { file: packageFile('graphiql', 'graphiql.min.css'), type: 'text/css' },
};

export const EXPLORER_ASSET_PREFIX = '/explorer/';

const DEFAULT_QUERY = `# Classify a reply as the MTA does (send replies as variables):
query Classify($reply: String!, $recipient: String) {
  classify(reply: $reply, recipient: $recipient) {
    type matchedBy message replyCode enhancedStatusCode rulesetVersion
    pattern { id name } isp { id name }
  }
}
`;

export const explorerPage = (endpoint: string): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>bounce-patterns · GraphQL explorer</title>
<link rel="stylesheet" href="${EXPLORER_ASSET_PREFIX}graphiql.css">
<style>body{margin:0;height:100vh}#graphiql{height:100vh}</style>
</head>
<body>
<div id="graphiql">Loading the explorer…</div>
<script src="${EXPLORER_ASSET_PREFIX}react.js"></script>
<script src="${EXPLORER_ASSET_PREFIX}react-dom.js"></script>
<script src="${EXPLORER_ASSET_PREFIX}graphiql.js"></script>
<script>
  const fetcher = GraphiQL.createFetcher({ url: ${JSON.stringify(endpoint)} });
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultQuery: ${JSON.stringify(DEFAULT_QUERY)},
      variables: ${JSON.stringify(JSON.stringify({ reply: '550 5.1.1 <user@example.com>: Recipient address rejected: User unknown', recipient: 'user@gmail.com' }, null, 2))},
      defaultHeaders: ${JSON.stringify(JSON.stringify({ Authorization: 'Bearer <your API token>' }, null, 2))},
      defaultEditorToolsVisibility: true,
      shouldPersistHeaders: true,
    }),
  );
</script>
</body>
</html>
`;

export async function explorerAsset(name: string): Promise<{ body: Buffer; type: string } | null> {
  const asset = ASSETS[name];
  return asset ? { body: await readFile(asset.file), type: asset.type } : null;
}
