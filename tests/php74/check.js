// Checks PHP files against PHP 7.4, which this machine's php (8.2) cannot run:
//
//   node tests/php74/check.js FILE...
//
// Each file is parsed with php-parser targeting 7.4, which refuses the grammar 7.4 lacks
// (match, nullsafe ?->, named arguments, throw as an expression, enums, first-class callables).
// The parser still accepts a few things 7.4 refuses or cannot run, so the syntax tree is then
// searched for them: union and intersection types, promoted or readonly parameters and
// properties, the types 7.4 reads as class names (mixed, never, static, false, null), and
// the functions and classes PHP 8 added. Prints one line per problem; exits 1 if any.
'use strict';

const fs = require('fs');
const Engine = require('php-parser');

const TARGET = '7.4';
const PHP8_TYPES = new Set(['mixed', 'never', 'static', 'false', 'null']);
const PHP8_FUNCTIONS = new Set([
  'str_contains', 'str_starts_with', 'str_ends_with', 'get_debug_type', 'get_resource_id',
  'fdiv', 'preg_last_error_msg', 'array_is_list', 'enum_exists',
]);
const PHP8_CLASSES = new Set([
  'valueerror', 'unhandledmatcherror', 'stringable', 'weakmap', 'phptoken', 'fiber',
  'returntypewillchange', 'attribute', 'sensitiveparameter',
]);

function problemsIn(file) {
  const parser = new Engine({ parser: { php7: true, version: TARGET, suppressErrors: false }, ast: { withPositions: true } });
  let tree;
  try {
    tree = parser.parseCode(fs.readFileSync(file, 'utf8'), file);
  } catch (error) {
    return [`${file}: does not parse on PHP ${TARGET}: ${error.message}`];
  }
  const problems = [];
  const report = (node, what) => problems.push(`${file}:${node.loc ? node.loc.start.line : '?'}: ${what} needs PHP 8`);
  const bareName = (name) => String(name || '').replace(/^\\/, '').toLowerCase();
  const checkType = (node, type) => {
    if (!type) return;
    if (type.kind === 'uniontype' || type.kind === 'intersectiontype') report(node, type.kind === "uniontype" ? "a union type" : "an intersection type");
    else if (PHP8_TYPES.has(bareName(type.name))) report(node, `the type ${type.name}`);
  };
  const visit = (node) => {
    if (!node || typeof node !== 'object') return;
    if (Array.isArray(node)) { node.forEach(visit); return; }
    switch (node.kind) {
      case 'parameter':
        checkType(node, node.type);
        if (node.flags) report(node, `the promoted parameter $${node.name.name}`);
        if (node.readonly) report(node, `the readonly parameter $${node.name.name}`);
        break;
      case 'function': case 'method': case 'closure': case 'arrowfunc':
        checkType(node, node.type);
        break;
      case 'propertystatement':
        checkType(node, node.type);
        if (node.readonly || node.isReadonly) report(node, 'a readonly property');
        break;
      case 'call':
        if (node.what && node.what.kind === 'name' && PHP8_FUNCTIONS.has(bareName(node.what.name))) {
          report(node, `the function ${node.what.name}()`);
        }
        break;
      case 'new': case 'staticlookup': case 'catch': case 'attrgroup':
        for (const name of [].concat(node.what || [], node.class || [], node.attrs || [])) {
          if (name && PHP8_CLASSES.has(bareName(name.name))) report(node, `the class ${name.name}`);
        }
        break;
      default:
    }
    for (const [key, value] of Object.entries(node)) {
      if (key !== 'loc' && value && typeof value === 'object') visit(value);
    }
  };
  visit(tree);
  return problems;
}

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node tests/php74/check.js FILE...');
  process.exit(2);
}
const problems = files.flatMap(problemsIn);
problems.forEach((line) => console.log(line));
process.exit(problems.length ? 1 : 0);
