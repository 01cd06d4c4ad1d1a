// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

contract Timelock {
    mapping(address => uint256) public lockedUntil;

    function extend(uint256 extra) external {
        unchecked {
            lockedUntil[msg.sender] += extra; // VULN
        }
    }
}
