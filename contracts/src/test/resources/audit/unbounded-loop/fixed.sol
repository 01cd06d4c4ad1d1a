// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

contract Airdrop {
    uint256 public constant PAGE = 100;
    address[] public members;
    mapping(address => uint256) public points;

    function join() external {
        members.push(msg.sender);
    }

    /// Awards one page of members per call, so the cost of a call never grows with the list.
    function award(uint256 start) external {
        uint256 end = start + PAGE;
        if (end > members.length) {
            end = members.length;
        }
        for (uint256 i = start; i < end; i++) {
            points[members[i]] += 1;
        }
    }
}
