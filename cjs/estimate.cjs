'use strict';
module.exports = require('./load.cjs')('estimate', () => require('../dist/estimate/index.js'));
