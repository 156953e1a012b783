'use strict';
module.exports = require('./load.cjs')('arith', () => require('../dist/arith/index.js'));
