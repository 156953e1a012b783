'use strict';
module.exports = require('./load.cjs')('quant', () => require('../dist/quant/index.js'));
