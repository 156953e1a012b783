'use strict';
module.exports = require('./load.cjs')('rtl', () => require('../dist/rtl/index.js'));
