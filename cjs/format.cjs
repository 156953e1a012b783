'use strict';
module.exports = require('./load.cjs')('format', () => require('../dist/format/index.js'));
