'use strict'

// The TypeScript compiler, in process, for types.test.js: compile a tsconfig
// (optionally with some options changed) and read the diagnostics.

const path = require('node:path')
const ts = require('typescript')

const formatHost = {
  getCanonicalFileName: (fileName) => fileName,
  getCurrentDirectory: () => path.join(__dirname, '..', '..'),
  getNewLine: () => '\n',
}

/**
 * Compiles a tsconfig; `overrides` are compiler options as written in a
 * tsconfig. `checkFile` limits the files whose errors are collected (checking
 * all of @types/node takes most of the time and is not what is tested).
 */
function compileProject(configPath, overrides = {}, checkFile = () => true) {
  const converted = ts.convertCompilerOptionsFromJson(overrides, path.dirname(configPath))
  if (converted.errors.length) throw new Error(format(converted.errors))
  const parsed = ts.getParsedCommandLineOfConfigFile(configPath, converted.options, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(format([diagnostic]))
    },
  })
  if (parsed.errors.length) throw new Error(format(parsed.errors))
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options })
  const diagnostics = [...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics()]
  for (const sourceFile of program.getSourceFiles().filter((file) => checkFile(file.fileName))) {
    diagnostics.push(...program.getSyntacticDiagnostics(sourceFile), ...program.getSemanticDiagnostics(sourceFile))
  }
  return { program, diagnostics }
}

function format(diagnostics) {
  return ts.formatDiagnostics(diagnostics, formatHost)
}

/** `file:line TScode` for each diagnostic in a file (lines from 1). */
function diagnosticsByLine(diagnostics) {
  return diagnostics
    .filter((diagnostic) => diagnostic.file)
    .map((diagnostic) => {
      const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start)
      return `${path.basename(diagnostic.file.fileName)}:${line + 1} TS${diagnostic.code}`
    })
    .sort()
}

module.exports = { ts, compileProject, format, diagnosticsByLine }
