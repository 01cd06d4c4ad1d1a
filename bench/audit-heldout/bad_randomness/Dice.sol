// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

contract Dice {
    function roll() external view returns (uint8) {
        return uint8(uint256(keccak256(abi.encode(block.prevrandao, block.number))) % 6) + 1; // VULN
    }
}
