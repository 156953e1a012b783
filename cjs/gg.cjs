'use strict';
module.exports = require('./load.cjs')('gg', () => require('../dist/gg/index.js'));
