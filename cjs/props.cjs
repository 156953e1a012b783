'use strict';
module.exports = require('./load.cjs')('props', () => require('../dist/props/index.js'));
