'use strict';
module.exports = require('./load.cjs')('nn', () => require('../dist/nn/index.js'));
