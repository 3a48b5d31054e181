// extension.js — the Arbiter extension's client: starts `arbiter lsp` (the
// language server, over stdio) for .rules files through vscode-languageclient.
"use strict";
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const cfg = vscode.workspace.getConfiguration("arbiter");
  const args = ["lsp"];
  if (cfg.get("stdlib")) args.push("--stdlib", cfg.get("stdlib"));
  const server = { command: cfg.get("path") || "arbiter", args, transport: TransportKind.stdio };
  client = new LanguageClient(
    "arbiter",
    "Arbiter",
    { run: server, debug: server },
    {
      documentSelector: [{ scheme: "file", language: "arbiter" }],
      initializationOptions: {
        library: cfg.get("library") || "directory",
        libraryDirs: cfg.get("libraryDirs") || [],
      },
    }
  );
  context.subscriptions.push(
    vscode.commands.registerCommand("arbiter.restart", () => client && client.restart())
  );
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
